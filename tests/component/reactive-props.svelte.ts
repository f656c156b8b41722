/** Props a test can change after mounting: a `$state` object (runes compile in .svelte.ts). */
export function reactiveProps<T extends object>(initial: T): T {
  const props = $state(initial);
  return props;
}
