/**
 * Recognising GPU failures in the errors WebLLM and onnxruntime-web throw. They arrive as plain
 * Errors (sometimes strings, sometimes GPUDeviceLostInfo objects), so we match their text.
 */
import { DeviceLostError, OutOfMemoryError } from './errors';

const DEVICE_LOST = /device (was |is |has been )?lost|devicelost|gpudevicelostinfo|dxgi/i;
// Buffer-size limits are included: the remedy (a smaller model) is the same as for memory.
const OUT_OF_MEMORY =
  /out of memory|\boom\b|outofmemory|allocation failed|failed to allocate|array buffer allocation|maxbuffersize|maxstoragebufferbindingsize/i;

/** The text of anything thrown, including GPUDeviceLostInfo-like `{ reason, message }` objects. */
export function errorText(error: unknown): string {
  if (error instanceof Error) {
    const cause = error.cause === undefined ? '' : ` ${errorText(error.cause)}`;
    return `${error.name}: ${error.message}${cause}`;
  }
  if (error && typeof error === 'object') {
    const { reason, message } = error as { reason?: unknown; message?: unknown };
    const name = (error as object).constructor?.name ?? '';
    return [name, reason, message].filter((part) => part !== undefined && part !== '').join(': ');
  }
  return String(error);
}

/** A short, single-line detail for error messages. */
function shortDetail(text: string): string {
  return text.replace(/\s+/g, ' ').trim().slice(0, 200);
}

/**
 * DeviceLostError or OutOfMemoryError when `error` is one (device loss wins: it is usually
 * caused by memory pressure, and the remedy is to reload); undefined otherwise.
 */
export function gpuError(error: unknown): DeviceLostError | OutOfMemoryError | undefined {
  if (error instanceof DeviceLostError || error instanceof OutOfMemoryError) return error;
  const text = errorText(error);
  if (DEVICE_LOST.test(text)) return new DeviceLostError(shortDetail(text), { cause: error });
  if (OUT_OF_MEMORY.test(text)) return new OutOfMemoryError(shortDetail(text), { cause: error });
  return undefined;
}
