import { Link } from 'react-router';

import { paths } from '@/config/paths';
import { Calculator } from '@/features/fibonacci/components/calculator';

export function CalculatorRoute() {
  return (
    <>
      <title>Fibonacci calculator · fibstack</title>
      <h1>Fibonacci calculator</h1>
      <p>
        Enter an index n to compute the Fibonacci number F(n). Workers compute it in the background and the lists below
        update by themselves. <Link to={paths.about}>How it works</Link>
      </p>
      <Calculator />
    </>
  );
}
