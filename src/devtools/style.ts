/**
 * The panel's styles, adopted by the shadow root each panel draws in: the panel must look
 * the same on any page it is dropped on, whatever that page's CSS (which stays outside the
 * shadow root; `:host` stops inherited properties too). Every selector is under `.sb-`.
 */
export const panelCss = `
:host{all:initial}
.sb-toggle{position:fixed;right:16px;bottom:16px;z-index:2147483000;font:600 13px/1 system-ui,sans-serif;
  padding:9px 14px;border-radius:999px;border:1px solid #1e293b;background:#0f172a;color:#f8fafc;cursor:pointer;
  box-shadow:0 4px 14px rgba(15,23,42,.25)}
.sb-toggle:hover{background:#1e293b}
.sb-toggle:focus-visible,.sb-panel :focus-visible{outline:3px solid #f59e0b;outline-offset:2px}
.sb-panel{position:fixed;left:0;right:0;bottom:0;max-height:52vh;z-index:2147482999;display:flex;flex-direction:column;
  background:#f8fafc;color:#0f172a;border-top:2px solid #0f172a;font:12px/1.35 system-ui,sans-serif;
  box-shadow:0 -8px 24px rgba(15,23,42,.18)}
.sb-panel:focus{outline:none}
.sb-head{display:flex;align-items:center;gap:14px;flex-wrap:wrap;padding:8px 14px;border-bottom:1px solid #e2e8f0;background:#fff}
.sb-head code{font:600 12px ui-monospace,monospace}
.sb-muted{color:#64748b}
.sb-legend{display:inline-flex;align-items:center;gap:6px;color:#475569;margin-left:auto}
.sb-legend svg{vertical-align:middle;flex:none}
.sb-dot{display:inline-block;width:10px;height:10px;border-radius:3px;margin-left:8px}
.sb-dot-running{background:#fde68a;border:1px solid #d97706}
.sb-dot-error{background:#fecaca;border:1px solid #dc2626}
.sb-dot-cached{background:#bbf7d0;border:1px solid #16a34a}
.sb-close{font:600 18px/1 system-ui;border:0;background:transparent;cursor:pointer;padding:2px 8px;border-radius:6px;color:#0f172a}
.sb-close:hover{background:#e2e8f0}
.sb-body{display:flex;gap:0;overflow:hidden;min-height:0;flex:1 1 auto}
.sb-graphwrap{flex:1;min-width:0;display:flex;flex-direction:column}
.sb-tools{display:flex;align-items:center;gap:6px;padding:4px 14px;border-bottom:1px solid #e2e8f0}
.sb-tools button{font:600 12px/1 system-ui,sans-serif;min-width:28px;padding:5px 8px;border:1px solid #cbd5e1;border-radius:6px;
  background:#fff;color:#0f172a;cursor:pointer}
.sb-tools button:hover{background:#f1f5f9}
.sb-graph{flex:1 1 auto;min-height:0;overflow:hidden;touch-action:none;cursor:grab}
.sb-graph:focus-visible{outline-offset:-3px}
.sb-graph svg{display:block;width:100%;height:100%}
.sb-node{cursor:pointer}
.sb-node text{font:11px ui-monospace,SFMono-Regular,Menlo,monospace;fill:#334155}
.sb-node text.sb-title{font:600 12px system-ui,sans-serif;fill:#0f172a}
.sb-badge{font:600 10px system-ui;fill:#15803d}
.sb-cb rect:first-of-type{fill:#fff;stroke:#334155;stroke-width:1.2}
.sb-cb.sb-hascache rect:first-of-type{stroke:#16a34a}
.sb-cb.sb-running rect:first-of-type{fill:#fef3c7;stroke:#d97706;stroke-width:2}
.sb-cb.sb-error rect:first-of-type{fill:#fee2e2;stroke:#dc2626;stroke-width:2}
.sb-cb.sb-cached rect:first-of-type{fill:#dcfce7;stroke:#16a34a;stroke-width:2}
.sb-store rect:first-of-type{fill:#f1f5f9;stroke:#94a3b8}
.sb-node.sb-sel rect:first-of-type{stroke:#f59e0b;stroke-width:3}
.sb-node:focus{outline:none}
.sb-node:focus-visible rect:first-of-type{stroke:#f59e0b;stroke-width:3}
.sb-where{fill:#94a3b8}
.sb-at-session .sb-where{fill:#0d9488}
.sb-at-local .sb-where{fill:#2563eb}
.sb-at-idb .sb-where{fill:#7c3aed}
.sb-at-worker .sb-where{fill:#ea580c}
.sb-track{fill:#fde68a}
.sb-bar{fill:#d97706}
.sb-edge{fill:none;stroke-width:1.5}
.sb-input{stroke:#475569}
.sb-state{stroke:#94a3b8;stroke-dasharray:5 4}
.sb-output{stroke:#2563eb;stroke-width:2}
.sb-head-input{fill:#475569}
.sb-head-state{fill:#94a3b8}
.sb-head-output{fill:#2563eb}
.sb-details{width:260px;flex:none;border-left:1px solid #e2e8f0;padding:10px 14px;background:#fff;overflow:auto}
.sb-details h3{margin:0 0 6px;font:600 13px system-ui}
.sb-details dl{display:grid;grid-template-columns:auto 1fr;gap:3px 10px;margin:0}
.sb-details dt{color:#64748b}
.sb-details dd{margin:0;font-family:ui-monospace,monospace;word-break:break-word}
.sb-err{color:#b91c1c}
.sb-family rect{fill:#f1f5f9;stroke:#0d9488;stroke-width:1.5}
.sb-family rect.sb-stack{fill:#e2e8f0;stroke:#94a3b8;stroke-width:1}
.sb-family.sb-sel rect:not(.sb-stack),.sb-family:focus-visible rect:not(.sb-stack){stroke:#f59e0b;stroke-width:3}
.sb-members{margin:6px 0;padding-left:16px;max-height:120px;overflow:auto;font:11px ui-monospace,monospace}
`
