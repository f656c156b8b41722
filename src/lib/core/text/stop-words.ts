/**
 * English stop words for keyword statistics: function words that carry no topic. Negations and
 * refusal words (not, no, never, cannot, can't, won't, sorry, ...) are deliberately NOT stop
 * words: "B says cannot more often" is exactly the kind of behaviour change we look for.
 * Contractions appear both with a straight apostrophe and without it, as tokenize.ts keeps them.
 */
const WORDS = `
a about above after again against all also am an and any are as at
be because been before being below between both but by
could did do does doing down during each few for from further
had has have having he he'd he'll he's her here here's hers herself him himself his how how's
i i'd i'll i'm i've if in into is it it's its itself let's
me more most my myself of off on once only or other ought our ours ourselves out over own
same she she'd she'll she's should so some such
than that that's the their theirs them themselves then there there's these they they'd they'll
they're they've this those through to too under until up upon us very
was we we'd we'll we're we've were what what's when when's where where's which while who who's
whom why why's will with would you you'd you'll you're you've your yours yourself yourselves
im ive youre youve youll theyre theyve weve thats theres whats lets
can just etc eg ie
`;

/** The stop-word set (lowercase). */
// Stryker disable next-line Regex,MethodExpression: splitting at single spaces only adds empty strings, and no tokenizer ever asks about ''
export const STOP_WORDS: ReadonlySet<string> = new Set(WORDS.split(/\s+/).filter(Boolean));

/** Whether `word` (lowercase) is a stop word. */
export function isStopWord(word: string): boolean {
  return STOP_WORDS.has(word);
}
