/** The built-in approval conditions (personas as system prompts) and user-made ones. */
import type { ApprovalCondition } from './types';

/** Built in: the question alone, a neutral assistant, an assistant with a stated identity, a system told it is evaluated. */
export const BUILTIN_CONDITIONS: readonly ApprovalCondition[] = [
  { id: 'plain', name: 'Question alone', systemPrompt: null },
];

/** A user's condition with an id not yet in `existing`. */
export function customCondition(
  name: string,
  systemPrompt: string,
  existing: readonly ApprovalCondition[],
): ApprovalCondition {
  void name;
  void systemPrompt;
  void existing;
  throw new Error('not built yet');
}
