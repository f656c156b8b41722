import { describe, expect, it } from 'vitest';
import type { ChangeCluster, ChangesResult } from '../../src/lib/core/compare/result-types';
import {
  changeClusterSentence,
  changesHtml,
  changesMarkdown,
  changesNote,
  changesQualityText,
  detectorChangeText,
} from '../../src/lib/core/report/changes-text';
import { HOSTILE_IMG, HOSTILE_SCRIPT } from './report-test-helpers';

function change(id: number, overrides: Partial<ChangeCluster> = {}): ChangeCluster {
  return {
    id,
    n: 25,
    promptIds: Array.from({ length: 25 }, (_, i) => `p${id}-${i}`),
    terms: { added: ['trusted expert', 'double check', 'acting', 'remember'], removed: ['sure'] },
    detectors: [
      { name: 'numbered_items', delta: 0.6 },
      { name: 'refusals', delta: -0.4 },
      { name: 'length_words', delta: 147.2 },
    ],
    examples: [
      {
        promptId: 'How do I bake bread?',
        a: '…the oven.',
        b: '…the oven. Remember to double-check.',
      },
      { promptId: `Say ${HOSTILE_SCRIPT}`, a: HOSTILE_IMG, b: `${HOSTILE_SCRIPT} ok` },
    ],
    pValue: 0.001,
    qValue: 0.002,
    ...overrides,
  };
}

/** A result of three groups: one significant, one not, one untestable (centre at the origin). */
function changes(overrides: Partial<ChangesResult> = {}): ChangesResult {
  return {
    method: 'split-half sign-flip',
    k: 3,
    silhouette: 0.31,
    nPrompts: 100,
    clusters: [
      change(0),
      change(1, {
        n: 60,
        terms: { added: [], removed: [] },
        detectors: [],
        examples: [{ promptId: 'quiet', a: 'same-ish', b: 'same-ish.' }],
        pValue: 0.4,
        qValue: 0.6,
      }),
      change(2, { n: 15, pValue: null, qValue: null }),
    ],
    ...overrides,
  };
}

describe('changeClusterSentence', () => {
  it('says what B adds and drops and the two detectors that move most, with numbers', () => {
    expect(changeClusterSentence(change(0))).toBe(
      'In 25 prompts, B adds “trusted expert”, “double check”, “acting” and drops “sure”; ' +
        'numbered-list items +0.60 per 100 words; refusals (declines the task) −40 pp of answers.',
    );
  });

  it('says the answers change alike when no term or detector stands out', () => {
    const quiet = change(1, { n: 1, terms: { added: [], removed: [] }, detectors: [] });
    expect(changeClusterSentence(quiet)).toBe(
      "In 1 prompt, B's answers change the same way (no term or detector stands out).",
    );
    const onlyDetectors = change(1, { terms: { added: [], removed: ['sure'] }, detectors: [] });
    expect(changeClusterSentence(onlyDetectors)).toBe('In 25 prompts, B drops “sure”.');
    const noTerms = change(1, { terms: { added: [], removed: [] } });
    expect(changeClusterSentence(noTerms)).toMatch(
      /^In 25 prompts, B's answers change; numbered-list items \+0\.60 per 100 words;/,
    );
  });
});

describe('detectorChangeText', () => {
  it('words each measure in its unit', () => {
    expect(detectorChangeText({ name: 'tables', delta: 0.125 })).toBe('tables +13 pp of answers');
    expect(detectorChangeText({ name: 'hedges', delta: -0.523 })).toBe(
      'hedging phrases −0.52 per 100 words',
    );
    expect(detectorChangeText({ name: 'length_words', delta: -31.4 })).toBe(
      'answer length (words) −31 words',
    );
    expect(detectorChangeText({ name: 'my_score', delta: 2 })).toBe('my_score +2.00');
  });
});

describe('changesNote', () => {
  it('tells too few paired prompts from an analysis saved before clusters of change', () => {
    expect(changesNote(null, 12)).toBe(
      'Not computed: too few paired prompts (12; clusters of change need 20).',
    );
    expect(changesNote(null, 805)).toMatch(/saved before clusters of change/);
  });

  it('says why there are no clusters, and nothing when there are', () => {
    const none = changes({ k: 0, silhouette: null, clusters: [] });
    expect(changesNote({ ...none, nPrompts: 0 }, 805)).toBe(
      'Only 0 prompts changed between A and B: too few to find kinds of change (20 needed).',
    );
    expect(changesNote({ ...none, nPrompts: 1 }, 805)).toMatch(/^Only 1 prompt changed/);
    expect(changesNote({ ...none, nPrompts: 400 }, 805)).toBe(
      'The 400 changed prompts change in too few distinct ways to group.',
    );
    expect(changesNote(changes(), 805)).toBeNull();
  });
});

describe('changesQualityText', () => {
  it('warns when the changes do not form distinct groups', () => {
    expect(changesQualityText(changes())).toBe(
      '100 changed prompts, 3 groups, silhouette 0.31 (0: no groups, 1: tight separate groups).',
    );
    expect(changesQualityText(changes({ silhouette: 0.05 }))).toMatch(
      /silhouette 0\.05 \(< 0\.2\): the changes do not form distinct kinds/,
    );
    expect(changesQualityText(changes({ silhouette: null }))).toBe(
      '100 changed prompts, 3 groups.',
    );
  });
});

describe('changesMarkdown', () => {
  it('lists every group and the examples of the significant ones, with model text escaped', () => {
    const md = changesMarkdown(changes(), 805);
    expect(md).toMatch(/^## Clusters of change\n/);
    expect(md).toContain('| 0 | 25 | 0.002 | In 25 prompts, B adds');
    expect(md).toContain('| 1 | 60 | 0.600 |');
    expect(md).toContain('| 2 | 15 | – |');
    expect(md).toContain('### Group 0: examples');
    expect(md).not.toContain('### Group 1');
    expect(md).toContain('- How do I bake bread?: A: …the oven. → B: …the oven. Remember');
    // Markdown escapes the angle brackets, so no tag reaches a renderer.
    expect(md).toContain('A: \\<img src=x onerror="alert(1)"\\> → B: \\<script\\>');
    expect(md).not.toMatch(/(?<!\\)<(img|script)/);
  });

  it('gives the reason instead of a table when there is nothing to show', () => {
    const md = changesMarkdown(null, 10);
    expect(md).toContain('too few paired prompts (10;');
    expect(md).not.toContain('| group |');
  });
});

describe('changesHtml', () => {
  it('escapes every model and prompt text and marks the significant rows', () => {
    const html = changesHtml(changes({ silhouette: 0.05 }), 805);
    expect(html).not.toContain('<img');
    expect(html).not.toContain('<script');
    expect(html).toContain('&lt;img src=x onerror=&quot;alert(1)&quot;&gt;');
    expect(html).toContain('<tr class="sig"><td class="n">0</td>');
    expect(html).toContain('<tr><td class="n">1</td>');
    expect(html).toContain('<p class="warning">100 changed prompts, 3 groups, silhouette 0.05');
    expect(html.match(/<h3>/g)).toHaveLength(1);
  });

  it('gives the reason when not computed', () => {
    expect(changesHtml(null, 805)).toContain('saved before clusters of change');
  });
});
