/** Saving generated files to the user's disk through the browser's download mechanism. */

/** Offers `content` as a file download named `fileName`. */
export function downloadFile(fileName: string, content: BlobPart, type: string): void {
  const url = URL.createObjectURL(new Blob([content], { type }));
  const link = document.createElement('a');
  link.href = url;
  link.download = fileName;
  link.rel = 'noopener';
  document.body.append(link);
  link.click();
  link.remove();
  // Revoke later: some browsers read the blob asynchronously after click().
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

/** Turns a run name into a safe, readable file name stem. */
export function fileStem(name: string): string {
  const stem = name
    .normalize('NFKD')
    .replace(/[^\w.-]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 80);
  return stem || 'run';
}

/**
 * The bytes of a `data:` URL as a Blob: base64 (Plotly's PNG) or percent-encoded (its SVG).
 * @throws Error when `url` is not a data: URL.
 */
export function dataUrlBlob(url: string): Blob {
  const match = /^data:([^,;]*)((?:;[^,;]*)*),/.exec(url);
  if (!match) throw new Error('not a data: URL');
  const type = match[1] || 'text/plain';
  const payload = url.slice(match[0].length);
  if (match[2]!.split(';').includes('base64')) {
    const binary = atob(payload);
    return new Blob([Uint8Array.from(binary, (c) => c.charCodeAt(0))], { type });
  }
  return new Blob([decodeURIComponent(payload)], { type });
}
