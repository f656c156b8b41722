/**
 * The small slice of Plotly's API the plots use. Traces and layouts stay loosely typed
 * records because Plotly's own schema is huge and the builders are checked by unit tests.
 */

/** One Plotly trace. */
export type Trace = Record<string, unknown>;

/** A Plotly layout. */
export type Layout = Record<string, unknown>;

/** A Plotly config object. */
export type PlotConfig = Record<string, unknown>;

/** A point in a Plotly event. */
export interface PlotPoint {
  curveNumber: number;
  pointNumber: number;
  customdata?: unknown;
}

/** The payload of click, hover and selection events. */
export interface PlotEvent {
  points?: PlotPoint[];
}

/** A plot's container element after Plotly has drawn into it. */
export interface PlotElement extends HTMLElement {
  on(event: string, handler: (e: PlotEvent | undefined) => void): void;
  removeAllListeners?(event: string): void;
}

/** The Plotly functions the plots call. */
export interface PlotlyApi {
  react(el: HTMLElement, data: Trace[], layout: Layout, config: PlotConfig): Promise<PlotElement>;
  purge(el: HTMLElement): void;
  Plots: { resize(el: HTMLElement): Promise<void> | void };
}
