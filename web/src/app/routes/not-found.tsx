import { Link } from 'react-router';

import { paths } from '@/config/paths';

export function NotFoundRoute() {
  return (
    <>
      <title>Page not found · fibstack</title>
      <h1>Page not found</h1>
      <p>
        This address is not a page of fibstack. <Link to={paths.calculator}>Go to the calculator</Link>
      </p>
    </>
  );
}
