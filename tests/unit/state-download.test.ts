import { describe, expect, it } from 'vitest';
import { dataUrlBlob, fileStem } from '../../src/lib/state/download';

describe('dataUrlBlob', () => {
  it('decodes a base64 PNG data: URL to its bytes and type', async () => {
    const bytes = [137, 80, 78, 71, 13, 10, 26, 10, 0, 255];
    const url = `data:image/png;base64,${Buffer.from(bytes).toString('base64')}`;
    const blob = dataUrlBlob(url);
    expect(blob.type).toBe('image/png');
    expect([...new Uint8Array(await blob.arrayBuffer())]).toEqual(bytes);
  });

  it('decodes a percent-encoded SVG data: URL, parameters and all', async () => {
    const svg = '<svg xmlns="http://www.w3.org/2000/svg"><text>B − A, 50%</text></svg>';
    const blob = dataUrlBlob(`data:image/svg+xml;charset=utf-8,${encodeURIComponent(svg)}`);
    expect(blob.type).toBe('image/svg+xml');
    expect(await blob.text()).toBe(svg);
  });

  it('refuses anything but a data: URL', () => {
    expect(() => dataUrlBlob('https://example.org/chart.png')).toThrow('not a data: URL');
  });
});

describe('fileStem', () => {
  it('turns a chart title into a safe file name', () => {
    expect(fileStem("Change in each cluster's share of answers from A to B")).toBe(
      'Change-in-each-cluster-s-share-of-answers-from-A-to-B',
    );
    expect(fileStem('../../etc')).toBe('..-..-etc');
    expect(fileStem('<>')).toBe('run');
  });
});
