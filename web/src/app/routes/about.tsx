import { Link } from 'react-router';

import { paths } from '@/config/paths';
import { Architecture } from '@/features/about/components/architecture';

export function AboutRoute() {
  return (
    <>
      <title>About · fibstack</title>
      <h1>About fibstack</h1>
      <Architecture />
      <p>
        <Link to={paths.calculator}>Back to the calculator</Link>
      </p>
    </>
  );
}
