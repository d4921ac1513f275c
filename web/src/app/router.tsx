import { useState } from 'react';
import { createBrowserRouter, type RouteObject } from 'react-router';
import { RouterProvider } from 'react-router/dom';

import { AboutRoute } from './routes/about';
import { CalculatorRoute } from './routes/calculator';
import { NotFoundRoute } from './routes/not-found';
import { RootErrorRoute, RootRoute } from './routes/root';

import { paths } from '@/config/paths';

// routes is shared by the browser router and the tests' memory router.
export const routes: RouteObject[] = [
  {
    path: paths.calculator,
    element: <RootRoute />,
    errorElement: <RootErrorRoute />,
    children: [
      { index: true, element: <CalculatorRoute /> },
      { path: paths.about, element: <AboutRoute /> },
      { path: '*', element: <NotFoundRoute /> },
    ],
  },
];

export function AppRouter() {
  const [router] = useState(() => createBrowserRouter(routes));
  return <RouterProvider router={router} />;
}
