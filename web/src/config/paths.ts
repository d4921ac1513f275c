// Route paths of the single-page app. nginx serves index.html for any path
// that is not a file or under /api, so each of these works as a deep link.
export const paths = {
  calculator: '/',
  about: '/about',
} as const;
