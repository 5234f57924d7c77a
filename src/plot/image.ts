import * as fs from 'node:fs';
import type { Browser, Page } from 'playwright-core';
import { PlotExportError } from '../errors';

export { PlotExportError } from '../errors';
import type { Figure } from './figures';
import { plotlyPath } from './html';
import { safeFigure } from './safe-text';

export type ImageFormat = 'png' | 'svg';

export const DEFAULT_CHROMIUM = '/usr/bin/chromium';

/**
 * Renders Plotly figures to PNG or SVG in headless Chromium (Debian's package, driven by
 * playwright-core), with plotly.js's own toImage so the picture matches the HTML export.
 * One browser serves many figures; close() it when done.
 */
export class ImageRenderer {
  private constructor(
    private readonly browser: Browser,
    private readonly page: Page,
  ) {}

  static async open(executablePath = DEFAULT_CHROMIUM): Promise<ImageRenderer> {
    if (!fs.existsSync(executablePath)) {
      throw new PlotExportError(
        `PNG/SVG export needs Chromium at ${executablePath}: install it with 'sudo apt-get install -y chromium' (HTML export works without it)`,
      );
    }
    // Loaded here so HTML-only callers (and notebooks) never load playwright.
    const { chromium } = await import('playwright-core');
    const browser = await chromium.launch({
      executablePath,
      args: [
        '--no-sandbox',
        '--disable-gpu',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
        '--no-first-run',
        '--disable-quic',
      ],
    });
    try {
      const page = await browser.newPage();
      await page.setContent('<!DOCTYPE html><html><body></body></html>');
      await page.addScriptTag({ path: plotlyPath() });
      return new ImageRenderer(browser, page);
    } catch (err) {
      await browser.close();
      throw new PlotExportError(`cannot prepare Chromium for rendering: ${err instanceof Error ? err.message : String(err)}`);
    }
  }

  async render(figure: Figure, format: ImageFormat, width = 1000, height = 600): Promise<Buffer> {
    const url = await this.page.evaluate(
      async ({ fig, format, width, height }) => {
        const plotly = (globalThis as unknown as { Plotly: { toImage(f: unknown, o: unknown): Promise<string> } }).Plotly;
        return plotly.toImage(fig, { format, width, height, scale: 1 });
      },
      { fig: safeFigure(figure), format, width, height },
    );
    const comma = url.indexOf(',');
    const header = url.slice(0, comma);
    const payload = url.slice(comma + 1);
    return header.endsWith(';base64') ? Buffer.from(payload, 'base64') : Buffer.from(decodeURIComponent(payload), 'utf8');
  }

  async close(): Promise<void> {
    await this.browser.close();
  }
}

/** Width and height from a PNG's IHDR chunk; null when the bytes are not a PNG. */
export function pngSize(buf: Buffer): { width: number; height: number } | null {
  const signature = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
  if (buf.length < 24 || !buf.subarray(0, 8).equals(signature) || buf.toString('ascii', 12, 16) !== 'IHDR') return null;
  return { width: buf.readUInt32BE(16), height: buf.readUInt32BE(20) };
}
