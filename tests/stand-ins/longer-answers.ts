/**
 * Answer sets for the supervisor tests, built so that exactly one of the stand-in supervisor's
 * two hypotheses holds: B's answer to every prompt is A's sentence and two more (always longer),
 * and neither side writes a numbered list. What the stand-in then reports can be worked out by
 * hand (see supervisor-server.ts).
 */

/** Forty distinct one-word topics: one prompt each. */
export const TOPICS: readonly string[] = [
  'tides',
  'volcanoes',
  'bread',
  'chess',
  'rainbows',
  'bees',
  'glaciers',
  'comets',
  'coffee',
  'maps',
  'owls',
  'bridges',
  'salt',
  'kites',
  'moss',
  'clocks',
  'whales',
  'deserts',
  'ink',
  'pianos',
  'fog',
  'copper',
  'ferns',
  'sundials',
  'lakes',
  'wool',
  'lanterns',
  'caves',
  'sparrows',
  'cheese',
  'canals',
  'tea',
  'marble',
  'frost',
  'dunes',
  'ants',
  'harbors',
  'silk',
  'thunder',
  'orchards',
];

/** One prompt and both answers. */
export interface LongerPair {
  topic: string;
  prompt: string;
  /** One sentence. */
  a: string;
  /** A's sentence and two more. */
  b: string;
}

/** The first `n` topics (at most 40) as prompt and answer pairs where B is always longer. */
export function longerPairs(n: number = TOPICS.length): LongerPair[] {
  if (n > TOPICS.length) throw new RangeError(`longerPairs: at most ${TOPICS.length} topics`);
  return TOPICS.slice(0, n).map((topic) => {
    const a = `Here is a short note about ${topic}.`;
    return {
      topic,
      prompt: `Tell me about ${topic}.`,
      a,
      b: `${a} People have studied ${topic} for a long time. There is much more to say about ${topic} and why it matters.`,
    };
  });
}
