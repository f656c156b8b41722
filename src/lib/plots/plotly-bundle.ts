// The declarations are referenced here so Node type-checks (tsconfig.node.json) see them too.
// eslint-disable-next-line @typescript-eslint/triple-slash-reference
/// <reference path="./plotly.d.ts" />
/**
 * Our own Plotly: its core (with the SVG scatter) plus the three traces the app draws. The
 * full strict bundle took ~1.5-1.9 s of one main-thread task to evaluate on the bench
 * machine; this one, ~2.6 times smaller, ~0.2 s. Strict means CSP-safe: the WebGL scatter uses
 * precompiled shaders instead of `new Function`, which the page's CSP forbids.
 */
import './plotly-global';
import Plotly from 'plotly.js/lib/core';
import bar from 'plotly.js/lib/bar';
import icicle from 'plotly.js/lib/icicle';
import scattergl from 'plotly.js/src/traces/scattergl/strict';

Plotly.register([bar, icicle, scattergl]);

/** Plotly with scatter, scattergl (strict), bar and icicle registered. */
export default Plotly;
