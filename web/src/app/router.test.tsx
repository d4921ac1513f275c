import { screen } from '@testing-library/react';
import { describe, expect, it } from 'vitest';

import { emptyListRoutes, stubFetch } from '@/testing/fake-api';
import { renderApp } from '@/testing/test-utils';

describe('router', () => {
  it('navigates to the about page and back', async () => {
    stubFetch(emptyListRoutes);
    const { user, router } = renderApp('/');

    expect(screen.getByRole('heading', { level: 1, name: 'Fibonacci calculator' })).toBeInTheDocument();

    await user.click(screen.getByRole('link', { name: 'About' }));
    expect(await screen.findByRole('heading', { level: 1, name: 'About fibstack' })).toBeInTheDocument();
    expect(router.state.location.pathname).toBe('/about');
    expect(screen.getByRole('link', { name: 'About' })).toHaveAttribute('aria-current', 'page');

    await user.click(screen.getByRole('link', { name: 'Back to the calculator' }));
    expect(await screen.findByRole('heading', { level: 1, name: 'Fibonacci calculator' })).toBeInTheDocument();
    expect(router.state.location.pathname).toBe('/');
  });

  it('renders the about page as a deep link', () => {
    stubFetch({});
    renderApp('/about');

    expect(screen.getByRole('heading', { level: 1, name: 'About fibstack' })).toBeInTheDocument();
    expect(screen.getByRole('link', { name: 'Calculator' })).toHaveAttribute('href', '/');
  });

  it('renders a not-found page for an unknown path', () => {
    stubFetch({});
    renderApp('/no-such-page');

    expect(screen.getByRole('heading', { level: 1, name: 'Page not found' })).toBeInTheDocument();
  });
});
