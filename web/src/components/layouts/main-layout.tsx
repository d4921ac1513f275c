import type { ReactNode } from 'react';
import { NavLink } from 'react-router';

import { paths } from '@/config/paths';

export type MainLayoutProps = {
  children: ReactNode;
};

// MainLayout is the frame of every page: the site name, the navigation and
// the page content.
export function MainLayout({ children }: MainLayoutProps) {
  return (
    <>
      <header className="site-header">
        <span className="site-name">fibstack</span>
        <nav aria-label="Main">
          <ul>
            <li>
              <NavLink to={paths.calculator} end>
                Calculator
              </NavLink>
            </li>
            <li>
              <NavLink to={paths.about}>About</NavLink>
            </li>
          </ul>
        </nav>
      </header>
      <main className="page">{children}</main>
    </>
  );
}
