/** Which chosen files the import screen inspects, and the names it shows for them. */
import { describe, expect, it } from 'vitest';
import { filesFromInput, filesToImport } from '../../src/lib/state/chosen-files';

/** A File as a folder picker hands it over: with its path inside the chosen folder. */
function pickedFile(path: string): File {
  const file = new File(['[]'], path.split('/').at(-1)!);
  Object.defineProperty(file, 'webkitRelativePath', { value: path });
  return file;
}

describe('filesToImport', () => {
  it('keeps the folders of two model_outputs.json picked as a results folder', () => {
    const chosen = filesFromInput([
      pickedFile('results/base/annotations.json'),
      pickedFile('results/base/model_outputs.json'),
      pickedFile('results/tuned/model_outputs.json'),
      pickedFile('results/tuned/leaderboard.csv'),
    ]);
    expect(chosen.every((c) => c.inFolder)).toBe(true);
    const files = filesToImport(chosen);
    expect(files.map(({ id, name, folder }) => ({ id, name, folder }))).toEqual([
      { id: 0, name: 'base/model_outputs.json', folder: 'results/base' },
      { id: 1, name: 'tuned/model_outputs.json', folder: 'results/tuned' },
    ]);
    expect(files[1]!.file).toBe(chosen[2]!.file);
  });

  it('numbers two files of one name chosen one by one, and keeps every file chosen itself', () => {
    const a = new File(['[]'], 'model_outputs.json');
    const b = new File(['[]'], 'model_outputs.json');
    const notes = new File(['x'], 'notes.md');
    const files = filesToImport(filesFromInput([a, b, notes]));
    expect(files.map((f) => [f.id, f.name, f.folder])).toEqual([
      [0, 'model_outputs (1).json', ''],
      [1, 'model_outputs (2).json', ''],
      [2, 'notes.md', ''],
    ]);
    expect(files.map((f) => f.file)).toEqual([a, b, notes]);
  });

  it('finds nothing in a folder of unreadable files', () => {
    expect(filesToImport(filesFromInput([pickedFile('pics/a.png')]))).toEqual([]);
  });
});
