/**
 * The import report under the import form: prompts one model answered and repeated rows are
 * listed with where they were found (the real table importer's report), model text as text, and
 * neither list appears when there is nothing to list.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { flushSync, mount, unmount } from 'svelte';
import ImportReport from '../../src/components/setup/ImportReport.svelte';
import { importAnswerTable } from '../../src/lib/core/run/import/answer-table';
import { sourceFromString } from '../../src/lib/core/run/import/source';
import type { ImportedAnswers } from '../../src/lib/core/run/import/types';

const MAPPING = { prompt: 'prompt', answer: 'answer', model: 'model' };

let component: ReturnType<typeof mount> | undefined;
afterEach(() => {
  if (component) unmount(component);
  component = undefined;
  document.body.innerHTML = '';
});

function render(imported: ImportedAnswers): HTMLElement {
  const target = document.createElement('div');
  document.body.append(target);
  component = mount(ImportReport, { target, props: { imported } });
  flushSync();
  return target;
}

const listed = (details: Element) =>
  [...details.querySelectorAll('li')].map((li) => li.textContent!.replace(/\s+/g, ' ').trim());

describe('import report', () => {
  it('lists prompts only one model answered and repeated rows, with where they were', async () => {
    const csv = [
      'prompt,answer,model',
      'Name a colour,Red,base',
      'Name a colour,Blue,tuned',
      'Name a fruit,Apple,base',
      'Name a fruit,Pear,tuned',
      'Name a fruit,Plum,base',
      '"<img src=x onerror=alert(1)>",Only base answered,base',
    ].join('\n');
    const imported = await importAnswerTable(sourceFromString('answers.csv', csv), MAPPING);
    expect(imported.report.unmatched).toHaveLength(1);
    expect(imported.report.duplicates).toHaveLength(1);

    const target = render(imported);
    const [unmatched, duplicates] = [...target.querySelectorAll('details')];
    expect(unmatched!.querySelector('summary')!.textContent).toBe(
      '1 prompts answered by one model only (left out)',
    );
    expect(listed(unmatched!)).toEqual(
      imported.report.unmatched.map((row) => `${row.side} · ${row.location}: ${row.prompt}`),
    );
    expect(listed(unmatched!)[0]).toContain('<img src=x onerror=alert(1)>');
    expect(target.querySelector('img')).toBeNull();
    expect(duplicates!.querySelector('summary')!.textContent).toBe(
      '1 duplicate rows (the first of each was kept)',
    );
    expect(listed(duplicates!)).toEqual(
      imported.report.duplicates.map((row) => `${row.side} · ${row.location}: ${row.prompt}`),
    );
    expect(listed(duplicates!)[0]).toContain('Name a fruit');
  });

  it('shows no list when every prompt matched once', async () => {
    const csv = ['prompt,answer,model', 'Hi,Hello,base', 'Hi,Hey,tuned'].join('\n');
    const imported = await importAnswerTable(sourceFromString('answers.csv', csv), MAPPING);
    const target = render(imported);
    expect(target.querySelector('[data-testid="import-report"]')).not.toBeNull();
    expect(target.querySelectorAll('details')).toHaveLength(0);
  });
});
