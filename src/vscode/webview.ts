/**
 * One webview panel with the habits that keep it safe and simple: a strict CSP (nothing remote, scripts
 * only with a fresh nonce, no inline styles), resources only from media/ and dist/, typed messages, and
 * nothing posted until the webview said `ready` (earlier messages are queued). A panel restored after a
 * window reload (a WebviewPanelSerializer hands it over) is adopted with the same options and HTML.
 */
import { randomBytes } from 'node:crypto';
import * as vscode from 'vscode';
import type { FromWebview, ToWebview } from '../webview/messages';
import { Disposable } from './dispose';

/** Where every panel writes what its page reported (page errors) and its reloads: the LLM Lab log, set at activation. */
let log: vscode.LogOutputChannel | undefined;
export function setWebviewLog(channel: vscode.LogOutputChannel): void {
  log = channel;
}

export interface PanelOptions {
  viewType: string;
  title: string;
  page: 'lesson' | 'results' | 'companion';
  column: vscode.ViewColumn;
  strings: Record<string, string>;
  onMessage(msg: FromWebview): void;
}

export class WebviewPanelHost extends Disposable {
  readonly panel: vscode.WebviewPanel;
  private ready = false;
  private queue: ToWebview[] = [];
  /** How many times the page was loaded again (see reloadIfSilent): a `ready` from an older page is ignored. */
  private generation = 0;
  private readonly closed = this.register(new vscode.EventEmitter<void>());
  private readonly readyEmitter = this.register(new vscode.EventEmitter<void>());
  readonly onDidClose = this.closed.event;

  /** A new panel, or `restored`, one VS Code brought back after a reload. */
  constructor(extensionUri: vscode.Uri, opts: PanelOptions, restored?: vscode.WebviewPanel) {
    super();
    const options = {
      enableScripts: true,
      // media/ and dist/ for styles and the script; lessons/ for images in lesson text.
      localResourceRoots: ['media', 'dist', 'lessons'].map((d) => vscode.Uri.joinPath(extensionUri, d)),
    };
    if (restored) restored.webview.options = options;
    this.panel = this.register(restored ?? vscode.window.createWebviewPanel(opts.viewType, opts.title, { viewColumn: opts.column, preserveFocus: true },
      { ...options, retainContextWhenHidden: true }));
    this.panel.iconPath = {
      light: vscode.Uri.joinPath(extensionUri, 'media', 'icon-panel-light.svg'),
      dark: vscode.Uri.joinPath(extensionUri, 'media', 'icon-panel-dark.svg'),
    };
    this.panel.webview.html = html(this.panel.webview, extensionUri, opts.page);
    this.register(this.panel.webview.onDidReceiveMessage((raw: FromWebview) => {
      if (raw.type === 'ready' && (raw.generation ?? '0') !== String(this.generation)) return; // a page loaded before the last reload
      if (raw.type === 'page-error') {
        log?.error(`${opts.page} panel: ${raw.message}`);
      } else if (raw.type === 'ready') {
        log?.info(`${opts.page} panel: its page is ready${this.generation ? ` (loaded again, ${this.generation})` : ''}, ${this.queue.length} messages waiting`);
        this.ready = true;
        void this.panel.webview.postMessage({ type: 'init', page: opts.page, strings: opts.strings } satisfies ToWebview);
        for (const m of this.queue.splice(0)) void this.panel.webview.postMessage(m);
        this.readyEmitter.fire();
      } else {
        opts.onMessage(raw);
      }
    }));
    this.register(this.panel.onDidDispose(() => { this.closed.fire(); this.dispose(); }));
    this.reloadIfSilent(opts.page, () => html(this.panel.webview, extensionUri, opts.page, ++this.generation));
  }

  /**
   * A panel's page has been seen never to load: a companion tab restored after a window reload (in two of many
   * end-to-end runs), and every time a new companion panel was opened while VS Code restored its editors. Once the
   * panel is visible, give its page a few seconds to say `ready`; if it is still silent, load it again (a new nonce
   * and generation), at most twice. Queued messages wait for the new page's `ready`; an old page's is ignored.
   */
  private reloadIfSilent(name: string, page: () => string): void {
    let reloads = 0;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const arm = () => {
      if (this.ready || timer || !this.panel.visible || reloads >= 2) return;
      timer = setTimeout(() => {
        timer = undefined;
        if (this.ready || !this.panel.visible) return;
        reloads++;
        log?.warn(`${name} panel: its page said nothing 5 s after it was shown: loading it again (${reloads} of 2)`);
        this.panel.webview.html = page();
        arm();
      }, 5000);
    };
    this.register(this.panel.onDidChangeViewState(() => arm()));
    this.register({ dispose: () => { if (timer) clearTimeout(timer); } });
    arm();
  }

  /** Resolves once the webview's script has loaded and said `ready` (a full round trip). */
  whenReady(): Promise<void> {
    return this.ready ? Promise.resolve() : new Promise((resolve) => { const d = this.readyEmitter.event(() => { d.dispose(); resolve(); }); });
  }

  post(msg: ToWebview): void {
    if (this.ready) void this.panel.webview.postMessage(msg);
    else this.queue.push(msg);
  }
}

export function html(webview: vscode.Webview, extensionUri: vscode.Uri, page: 'lesson' | 'results' | 'companion', generation = 0): string {
  const nonce = randomBytes(16).toString('base64');
  const uri = (...p: string[]) => webview.asWebviewUri(vscode.Uri.joinPath(extensionUri, ...p)).toString();
  const csp = [
    `default-src 'none'`,
    `img-src ${webview.cspSource} data:`,
    `style-src ${webview.cspSource}`,
    `font-src ${webview.cspSource}`,
    `script-src 'nonce-${nonce}'`,
  ].join('; ');
  return `<!DOCTYPE html>
<html lang="${vscode.env.language}">
<head>
<meta charset="UTF-8">
<meta http-equiv="Content-Security-Policy" content="${csp}">
<meta name="viewport" content="width=device-width, initial-scale=1.0">
<link rel="stylesheet" id="vscode-codicon-stylesheet" href="${uri('dist', 'media', 'codicon.css')}">
<link rel="stylesheet" href="${uri('dist', 'media', 'uPlot.min.css')}">
<link rel="stylesheet" href="${uri('media', 'lab.css')}">
${page === 'companion' ? `<link rel="stylesheet" href="${uri('media', 'companion.css')}">\n` : ''}</head>
<body data-page="${page}" data-generation="${generation}">
<main id="app" aria-live="polite"></main>
<script nonce="${nonce}" src="${uri('dist', 'webview.js')}"></script>
</body>
</html>`;
}
