import { Link, Outlet, useRouteError } from 'react-router';

import { MainLayout } from '@/components/layouts/main-layout';
import { paths } from '@/config/paths';

export function RootRoute() {
  return (
    <MainLayout>
      <Outlet />
    </MainLayout>
  );
}

// RootErrorRoute replaces a page that threw while rendering.
export function RootErrorRoute() {
  const error = useRouteError();
  const message = error instanceof Error ? error.message : String(error);

  return (
    <MainLayout>
      <title>Error · fibstack</title>
      <h1>Something went wrong</h1>
      <p role="alert">This page failed to render: {message}</p>
      <p>
        <Link to={paths.calculator} reloadDocument>
          Reload the calculator
        </Link>
      </p>
    </MainLayout>
  );
}
