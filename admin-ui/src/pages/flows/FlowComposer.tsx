import { memo, useCallback, useEffect, useMemo, useRef, useState } from 'react';
import {
  ReactFlow, ReactFlowProvider, Background, Controls, MiniMap, Handle, Position, MarkerType, useReactFlow,
  type Node, type Edge, type NodeProps, type Connection, type NodeChange, type EdgeChange,
} from '@xyflow/react';
import '@xyflow/react/dist/style.css';
import { Alert, App, Badge, Button, Descriptions, Drawer, Empty, Input, List, Popconfirm, Select, Space, Tag, Tooltip, Typography } from 'antd';
import {
  CloudUploadOutlined, DeleteOutlined, HistoryOutlined, SaveOutlined, WarningOutlined, PlusOutlined, AimOutlined, PartitionOutlined,
} from '@ant-design/icons';
import dayjs from 'dayjs';
import { GqlError, request } from '../../gql/client';
import { FlowNodeTypesDoc, FlowsDoc, PublishFlowVersionDoc, SaveFlowVersionDoc } from '../../gql/operations';
import type {
  FlowNodeTypesQuery, FlowsQuery, PublishFlowVersionMutation, PublishFlowVersionMutationVariables, SaveFlowVersionMutation, SaveFlowVersionMutationVariables,
} from '../../gql/generated';
import { isDictKey, useLang, useT } from '../../i18n';
import { SchemaForm, type JsonSchema, type Option } from '../../components/SchemaForm';
import { diffFlows, isEmptyDiff, withDefaults, type FlowDef, type FlowNodeDef } from './flowDiff';

type NodeType = FlowNodeTypesQuery['flowNodeTypes'][number];
type Flow = FlowsQuery['flows'][number];
type Version = Flow['versions'][number];
interface Issue { nodeId: string | null; path: string; message: string }

const TYPE_COLORS: Record<string, string> = {
  start: '#52c41a', end: '#8c8c8c', working_hours: '#13c2c2', self_service: '#2f54eb', bot: '#722ed1', queue: '#fa8c16',
  agent: '#1677ff', survey: '#faad14', offline_message: '#eb2f96',
};
const colorOf = (type: string) => TYPE_COLORS[type] ?? '#595959';

interface KhNodeData extends Record<string, unknown> {
  def: FlowNodeDef;
  nodeType: NodeType | undefined;
  label: string;
  isStart: boolean;
  issues: Issue[];
  summary: string;
}
type KhNode = Node<KhNodeData, 'kh'>;

/** One node: a target handle on the left, one source handle per outcome on the right. */
const FlowNodeView = memo(function FlowNodeView({ data, selected }: NodeProps<KhNode>) {
  const outcomes = data.nodeType?.outcomes ?? Object.keys(data.def.next);
  const color = colorOf(data.def.type);
  const bad = data.issues.length > 0;
  return (
    <div className={`kh-fnode ${selected ? 'selected' : ''} ${bad ? 'invalid' : ''}`} style={{ borderTopColor: color }} data-testid={`flow-node-${data.def.id}`} data-invalid={bad ? '1' : '0'}>
      {!data.isStart && <Handle type="target" position={Position.Left} className="kh-handle-in" />}
      <div className="kh-fnode-head">
        <span className="kh-fnode-dot" style={{ background: color }} />
        <span className="kh-fnode-label">{data.label}</span>
        {data.nodeType && data.nodeType.source !== 'core' && <Tag color="geekblue" style={{ marginInlineEnd: 0, fontSize: 10, lineHeight: '14px', padding: '0 4px' }}>{data.nodeType.source}</Tag>}
      </div>
      <div className="kh-fnode-id">{data.def.id}</div>
      {data.summary && <div className="kh-fnode-summary">{data.summary}</div>}
      {bad && (
        <div className="kh-fnode-issues" data-testid={`flow-node-issues-${data.def.id}`}>
          {data.issues.slice(0, 3).map((i, k) => <div key={k}><WarningOutlined /> {i.path ? `${i.path}: ` : ''}{i.message}</div>)}
          {data.issues.length > 3 && <div>+{data.issues.length - 3}</div>}
        </div>
      )}
      <div className="kh-fnode-outs">
        {outcomes.map((o) => (
          <div key={o} className={`kh-fnode-out ${data.def.next[o] ? '' : 'unwired'}`}>
            <span>{o}</span>
            <Handle type="source" id={o} position={Position.Right} className="kh-handle-out" />
          </div>
        ))}
      </div>
    </div>
  );
});
const nodeTypes = { kh: FlowNodeView };

function summaryOf(def: FlowNodeDef): string {
  const c = def.config ?? {};
  const parts: string[] = [];
  for (const k of ['timeoutSec', 'idleTimeoutSec', 'firstResponseSlaSec', 'expirySec', 'bot', 'alwaysOpen', 'maxQueueLength']) {
    if (c[k] !== undefined && c[k] !== null) parts.push(`${k}=${String(c[k])}`);
  }
  if (Array.isArray(c.questions) && c.questions.length) parts.push(`questions=${c.questions.length}`);
  return parts.slice(0, 3).join(' · ');
}

/** Positions for nodes without one; a tightly packed layout (e.g. the built-in default flow) is spread out to fit the node cards. */
function layoutFallback(nodes: FlowNodeDef[]): FlowNodeDef[] {
  const placed = nodes.map((n, i) => (n.position ? n : { ...n, position: { x: 60 + (i % 6) * 260, y: 60 + Math.floor(i / 6) * 220 } }));
  let minDx = Infinity;
  let minDy = Infinity;
  for (const a of placed) for (const b of placed) {
    if (a === b) continue;
    const dx = Math.abs(a.position!.x - b.position!.x);
    const dy = Math.abs(a.position!.y - b.position!.y);
    if (dy < 120 && dx > 0) minDx = Math.min(minDx, dx);
    if (dx < 200 && dy > 0) minDy = Math.min(minDy, dy);
  }
  const sx = minDx < 230 ? 230 / minDx : 1;
  const sy = minDy < 240 ? 240 / minDy : 1;
  return sx === 1 && sy === 1 ? placed : placed.map((n) => ({ ...n, position: { x: Math.round(n.position!.x * sx), y: Math.round(n.position!.y * sy) } }));
}

/** A node card's size before React Flow has measured it (see .kh-fnode in styles.css). */
function estimatedSize(n: FlowNodeDef, outcomes: number): { width: number; height: number } {
  return { width: 170, height: 60 + (summaryOf(n) ? 18 : 0) + 19 * Math.max(outcomes, 1) };
}

/** Dagre positions for every node (the layout library is loaded on first use). */
async function autoPositions(d: FlowDef, sizeOf: (n: FlowNodeDef) => { width: number; height: number }): Promise<Map<string, { x: number; y: number }>> {
  const { layoutLeftToRight } = await import('./autoLayout');
  return layoutLeftToRight(d.nodes, sizeOf, d.start);
}

function Composer() {
  const t = useT();
  const { lang } = useLang();
  const { message, modal } = App.useApp();
  const rf = useReactFlow();
  const [types, setTypes] = useState<NodeType[]>([]);
  const [skillGroups, setSkillGroups] = useState<Option[]>([]);
  const [rules, setRules] = useState<Option[]>([]);
  const [flows, setFlows] = useState<Flow[]>([]);
  const [flowId, setFlowId] = useState<string | null>(null);
  const [baseVersion, setBaseVersion] = useState<Version | null>(null);
  const [def, setDef] = useState<FlowDef | null>(null);
  const [dirty, setDirty] = useState(false);
  const [selected, setSelected] = useState<string | null>(null);
  const [issues, setIssues] = useState<Issue[]>([]);
  const [saving, setSaving] = useState(false);
  const [publishing, setPublishing] = useState(false);
  const [versionsOpen, setVersionsOpen] = useState(false);
  const [paletteFilter, setPaletteFilter] = useState('');
  const [measured, setMeasured] = useState<Record<string, { width: number; height: number }>>({});
  const [layingOut, setLayingOut] = useState(false);
  const dropRef = useRef<HTMLDivElement>(null);
  /** The version on the canvas, so a layout that finishes after the user opened another one is dropped. */
  const shownVersion = useRef<string | null>(null);

  const labelOf = useCallback((type: string) => {
    const nt = types.find((x) => x.type === type);
    return nt ? (lang === 'zh-CN' ? nt.labelZh : nt.labelEn) : type;
  }, [types, lang]);

  /** Puts a version on the canvas; a flow saved without any positions (e.g. through the API) is laid out automatically. */
  const show = (v: Version) => {
    const loaded = v.definition as FlowDef;
    shownVersion.current = v.id;
    setDef({ ...loaded, nodes: layoutFallback(loaded.nodes) });
    if (loaded.nodes.length && loaded.nodes.every((n) => !n.position)) {
      void autoPositions(loaded, (n) => estimatedSize(n, Object.keys(n.next).length)).then((pos) => {
        if (shownVersion.current !== v.id) return;
        // Not a change to save: the version simply had no layout of its own.
        setDef((d) => (d ? { ...d, nodes: d.nodes.map((n) => ({ ...n, position: pos.get(n.id) ?? n.position })) } : d));
        setTimeout(() => void rf.fitView({ padding: 0.1, maxZoom: 1 }), 50);
      }).catch(() => undefined);
    }
  };

  const loadFlows = useCallback(async (keepFlow?: string | null, loadVersionId?: string) => {
    const d = await request<FlowsQuery>(FlowsDoc);
    setFlows(d.flows);
    const flow = d.flows.find((f) => f.id === keepFlow) ?? d.flows[0];
    if (!flow) return;
    setFlowId(flow.id);
    const v = flow.versions.find((x) => x.id === loadVersionId) ?? flow.versions[0];
    if (v) {
      setBaseVersion(v);
      show(v);
      setDirty(false);
      setIssues([]);
    }
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, []);

  useEffect(() => {
    request<FlowNodeTypesQuery>(FlowNodeTypesDoc).then((d) => {
      setTypes(d.flowNodeTypes);
      setSkillGroups(d.skillGroups.map((g) => ({ value: g.id, label: g.name })));
      setRules(d.transferRuleTypes.map((r) => ({ value: r.name, label: `${lang === 'zh-CN' ? r.labelZh : r.labelEn} (${r.name})` })));
    }).catch((e: unknown) => message.error((e as Error).message));
    void loadFlows().catch((e: unknown) => message.error((e as Error).message));
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, []);

  const flow = flows.find((f) => f.id === flowId) ?? null;
  const issuesByNode = useMemo(() => {
    const m = new Map<string, Issue[]>();
    for (const i of issues) if (i.nodeId) m.set(i.nodeId, [...(m.get(i.nodeId) ?? []), i]);
    return m;
  }, [issues]);
  const globalIssues = issues.filter((i) => !i.nodeId || !def?.nodes.some((n) => n.id === i.nodeId));

  const rfNodes: KhNode[] = useMemo(() => (def?.nodes ?? []).map((n) => ({
    id: n.id,
    type: 'kh',
    position: n.position ?? { x: 0, y: 0 },
    measured: measured[n.id],
    selected: n.id === selected,
    deletable: n.id !== def?.start,
    data: { def: n, nodeType: types.find((x) => x.type === n.type), label: labelOf(n.type), isStart: n.id === def?.start, issues: issuesByNode.get(n.id) ?? [], summary: summaryOf(n) },
  })), [def, selected, types, labelOf, issuesByNode, measured]);

  const rfEdges: Edge[] = useMemo(() => (def?.nodes ?? []).flatMap((n) => Object.entries(n.next).map(([outcome, target]) => ({
    id: `${n.id}:${outcome}`,
    source: n.id,
    sourceHandle: outcome,
    target,
    label: outcome,
    type: 'smoothstep',
    markerEnd: { type: MarkerType.ArrowClosed, width: 16, height: 16 },
    style: { stroke: issuesByNode.get(n.id)?.some((i) => i.path === `next.${outcome}`) ? '#ff4d4f' : '#8c8c8c' },
    labelStyle: { fontSize: 10, fill: '#595959' },
    labelBgStyle: { fill: '#fafafa' },
  }))), [def, issuesByNode]);

  const update = (fn: (d: FlowDef) => FlowDef) => { setDef((d) => (d ? fn(d) : d)); setDirty(true); };
  const updateNode = (id: string, fn: (n: FlowNodeDef) => FlowNodeDef) => update((d) => ({ ...d, nodes: d.nodes.map((n) => (n.id === id ? fn(n) : n)) }));

  const onNodesChange = (changes: NodeChange<KhNode>[]) => {
    let moved = false;
    const removed = new Set<string>();
    const positions = new Map<string, { x: number; y: number }>();
    for (const c of changes) {
      if (c.type === 'position' && c.position) { positions.set(c.id, c.position); moved = true; }
      if (c.type === 'select' && c.selected) setSelected(c.id);
      if (c.type === 'remove' && c.id !== def?.start) removed.add(c.id);
      if (c.type === 'dimensions' && c.dimensions) { const dim = c.dimensions; setMeasured((m) => ({ ...m, [c.id]: dim })); }
    }
    if (moved) setDef((d) => (d ? { ...d, nodes: d.nodes.map((n) => (positions.has(n.id) ? { ...n, position: positions.get(n.id) } : n)) } : d));
    if (moved) setDirty(true);
    if (removed.size) removeNodes(removed);
  };

  const removeNodes = (ids: Set<string>) => {
    update((d) => ({
      ...d,
      nodes: d.nodes.filter((n) => !ids.has(n.id)).map((n) => ({ ...n, next: Object.fromEntries(Object.entries(n.next).filter(([, target]) => !ids.has(target))) })),
    }));
    if (selected && ids.has(selected)) setSelected(null);
  };

  const onEdgesChange = (changes: EdgeChange[]) => {
    const gone = changes.filter((c) => c.type === 'remove').map((c) => c.id);
    if (!gone.length) return;
    update((d) => ({
      ...d,
      nodes: d.nodes.map((n) => ({ ...n, next: Object.fromEntries(Object.entries(n.next).filter(([o]) => !gone.includes(`${n.id}:${o}`))) })),
    }));
  };

  const connect = (source: string, outcome: string, target: string | null) => updateNode(source, (n) => {
    const next = { ...n.next };
    if (target) next[outcome] = target; else delete next[outcome];
    return { ...n, next };
  });
  const onConnect = (c: Connection) => { if (c.source && c.target && c.sourceHandle && c.source !== c.target) connect(c.source, c.sourceHandle, c.target); };

  const addNode = (type: string, at?: { x: number; y: number }) => {
    if (!def) return;
    let i = 1;
    while (def.nodes.some((n) => n.id === `${type}_${i}`)) i++;
    const id = `${type}_${i}`;
    const center = at ?? (() => {
      // Near the middle of the view, moved down until it covers no other node.
      const box = dropRef.current?.getBoundingClientRect();
      const p = box ? rf.screenToFlowPosition({ x: box.left + box.width / 2 - 90, y: box.top + box.height / 2 - 40 }) : { x: 100, y: 300 };
      const overlaps = (q: { x: number; y: number }) => def.nodes.some((n) => n.position && Math.abs(n.position.x - q.x) < 200 && Math.abs(n.position.y - q.y) < 140);
      for (let k = 0; k < 20 && overlaps(p); k++) p.y += 80;
      return p;
    })();
    update((d) => ({ ...d, nodes: [...d.nodes, { id, type, config: {}, next: {}, position: { x: Math.round(center.x), y: Math.round(center.y) } }] }));
    setSelected(id);
  };

  const onDrop = (e: React.DragEvent) => {
    e.preventDefault();
    const type = e.dataTransfer.getData('application/kefu-node');
    if (type) addNode(type, rf.screenToFlowPosition({ x: e.clientX, y: e.clientY }));
  };

  /** 自动布局: left to right along the wiring, each node at its rendered size; saved with the next version. */
  const autoLayout = async () => {
    if (!def) return;
    setLayingOut(true);
    try {
      const outcomesOf = (n: FlowNodeDef) => types.find((x) => x.type === n.type)?.outcomes.length ?? Object.keys(n.next).length;
      const pos = await autoPositions(def, (n) => measured[n.id] ?? estimatedSize(n, outcomesOf(n)));
      update((d) => ({ ...d, nodes: d.nodes.map((n) => ({ ...n, position: pos.get(n.id) ?? n.position })) }));
      setTimeout(() => void rf.fitView({ padding: 0.1, maxZoom: 1, duration: 200 }), 50);
    } catch (e) {
      message.error((e as Error).message);
    } finally {
      setLayingOut(false);
    }
  };

  const save = async () => {
    if (!def || !flowId) return;
    setSaving(true);
    setIssues([]);
    try {
      const d = await request<SaveFlowVersionMutation, SaveFlowVersionMutationVariables>(SaveFlowVersionDoc, { flowId, definition: def });
      message.success(t('flow.saved', { v: d.saveFlowVersion.version }));
      setIssues([]);
      await loadFlows(flowId, d.saveFlowVersion.id);
    } catch (e) {
      if (e instanceof GqlError && e.issues.length) {
        setIssues(e.issues.map((i) => ({ nodeId: i.nodeId ?? null, path: i.path ?? '', message: i.message })));
        message.error(t('flow.invalid', { n: e.issues.length }));
      } else message.error((e as Error).message);
    } finally {
      setSaving(false);
    }
  };

  const publish = async (versionId: string) => {
    setPublishing(true);
    try {
      await request<PublishFlowVersionMutation, PublishFlowVersionMutationVariables>(PublishFlowVersionDoc, { versionId });
      message.success(t('flow.published'));
      await loadFlows(flowId, baseVersion?.id);
    } catch (e) {
      if (e instanceof GqlError && e.issues.length) setIssues(e.issues.map((i) => ({ nodeId: i.nodeId ?? null, path: i.path ?? '', message: i.message })));
      message.error((e as Error).message);
    } finally {
      setPublishing(false);
    }
  };

  const loadVersion = (v: Version) => {
    const go = () => { setBaseVersion(v); show(v); setDirty(false); setIssues([]); setSelected(null); setVersionsOpen(false); };
    if (dirty) modal.confirm({ title: t('flow.discardTitle'), content: t('flow.discard'), onOk: go, okText: t('common.ok'), cancelText: t('common.cancel') });
    else go();
  };

  const sel = def?.nodes.find((n) => n.id === selected) ?? null;
  const selType = sel ? types.find((x) => x.type === sel.type) : undefined;
  const selIssues = sel ? issuesByNode.get(sel.id) ?? [] : [];
  const fieldErrors = Object.fromEntries(selIssues.filter((i) => i.path.startsWith('config.')).map((i) => [i.path.slice(7), i.message]));
  const isPublished = !!baseVersion && flow?.publishedVersionId === baseVersion.id;

  const palette = types.filter((x) => x.type !== 'start' && (!paletteFilter || `${x.labelZh} ${x.labelEn} ${x.type}`.toLowerCase().includes(paletteFilter.toLowerCase())));
  const groups: [string, NodeType[]][] = [[t('flow.builtIn'), palette.filter((x) => x.source === 'core')], [t('flow.pluginNodes'), palette.filter((x) => x.source !== 'core')]];

  return (
    <div className="kh-flow" data-testid="flow-composer">
      <div className="kh-flow-bar">
        <Space size={8} wrap>
          <Typography.Text strong style={{ fontSize: 15 }}>{t('menu.flows')}</Typography.Text>
          <Select size="small" style={{ minWidth: 160 }} value={flowId ?? undefined} onChange={(id) => void loadFlows(id)} options={flows.map((f) => ({ value: f.id, label: f.name }))} />
          {baseVersion && (
            <span data-testid="flow-version">
              <Tag color={isPublished ? 'green' : 'default'}>{t('flow.basedOn', { v: baseVersion.version })}{isPublished ? ` · ${t('flow.live')}` : ''}</Tag>
            </span>
          )}
          {dirty && <Tag color="orange" data-testid="flow-dirty">{t('flow.unsaved')}</Tag>}
          {issues.length > 0 && <Tag color="red" icon={<WarningOutlined />} data-testid="flow-issue-count">{t('flow.issues', { n: issues.length })}</Tag>}
        </Space>
        <Space size={8}>
          <Tooltip title={t('flow.autoLayoutHint')}>
            <Button size="small" icon={<PartitionOutlined />} loading={layingOut} disabled={!def} onClick={() => void autoLayout()} data-testid="flow-auto-layout">{t('flow.autoLayout')}</Button>
          </Tooltip>
          <Button size="small" icon={<AimOutlined />} onClick={() => void rf.fitView({ padding: 0.1, maxZoom: 1, duration: 200 })} data-testid="flow-fit">{t('flow.fit')}</Button>
          <Button size="small" icon={<HistoryOutlined />} onClick={() => setVersionsOpen(true)} data-testid="flow-versions">{t('flow.versions')}</Button>
          <Button size="small" icon={<SaveOutlined />} type={dirty ? 'primary' : 'default'} loading={saving} onClick={() => void save()} data-testid="flow-save">{t('flow.save')}</Button>
          <Popconfirm title={t('flow.publishConfirm', { v: baseVersion?.version ?? '' })} onConfirm={() => baseVersion && void publish(baseVersion.id)} okText={t('flow.publish')} cancelText={t('common.cancel')} disabled={dirty || isPublished || !baseVersion} okButtonProps={{ 'data-testid': 'flow-publish-confirm' } as Record<string, string>}>
            <Tooltip title={dirty ? t('flow.saveFirst') : isPublished ? t('flow.alreadyLive') : ''}>
              <Button size="small" type="primary" icon={<CloudUploadOutlined />} disabled={dirty || isPublished || !baseVersion} loading={publishing} data-testid="flow-publish">{t('flow.publish')}</Button>
            </Tooltip>
          </Popconfirm>
        </Space>
      </div>
      {globalIssues.length > 0 && <Alert type="error" showIcon banner message={globalIssues.map((i) => `${i.path}: ${i.message}`).join('；')} />}
      <div className="kh-flow-body">
        <aside className="kh-palette" data-testid="flow-palette">
          <Input size="small" placeholder={t('flow.searchNodes')} value={paletteFilter} onChange={(e) => setPaletteFilter(e.target.value)} allowClear />
          {groups.map(([title, list]) => (
            <div key={title}>
              <div className="kh-palette-title">{title}</div>
              {list.length === 0 && <Typography.Text type="secondary" style={{ fontSize: 12 }}>{t('flow.noPluginNodes')}</Typography.Text>}
              {list.map((nt) => (
                <div
                  key={nt.type}
                  className="kh-palette-item"
                  draggable
                  onDragStart={(e) => { e.dataTransfer.setData('application/kefu-node', nt.type); e.dataTransfer.effectAllowed = 'move'; }}
                  onClick={() => addNode(nt.type)}
                  data-testid={`palette-${nt.type}`}
                  title={t('flow.paletteHint')}
                >
                  <span className="kh-fnode-dot" style={{ background: colorOf(nt.type) }} />
                  <span className="kh-palette-label">{lang === 'zh-CN' ? nt.labelZh : nt.labelEn}</span>
                  <PlusOutlined style={{ color: '#bfbfbf' }} />
                </div>
              ))}
            </div>
          ))}
        </aside>
        <div className="kh-canvas" ref={dropRef} onDragOver={(e) => { e.preventDefault(); e.dataTransfer.dropEffect = 'move'; }} onDrop={onDrop}>
          {def ? (
            <ReactFlow<KhNode, Edge>
              nodes={rfNodes}
              edges={rfEdges}
              nodeTypes={nodeTypes}
              onNodesChange={onNodesChange}
              onEdgesChange={onEdgesChange}
              onConnect={onConnect}
              onPaneClick={() => setSelected(null)}
              fitView
              fitViewOptions={{ padding: 0.1, maxZoom: 1 }}
              minZoom={0.2}
              deleteKeyCode={['Delete', 'Backspace']}
              proOptions={{ hideAttribution: true }}
            >
              <Background gap={16} size={1} color="#e5e5e5" />
              <Controls showInteractive={false} />
              <MiniMap pannable zoomable nodeColor={(n) => colorOf((n.data as KhNodeData).def.type)} style={{ height: 90, width: 140 }} />
            </ReactFlow>
          ) : <Empty style={{ marginTop: 120 }} />}
        </div>
        <aside className="kh-inspector" data-testid="flow-inspector">
          {sel ? (
            <div key={sel.id}>
              <div className="kh-inspector-head">
                <Space>
                  <span className="kh-fnode-dot" style={{ background: colorOf(sel.type) }} />
                  <Typography.Text strong>{labelOf(sel.type)}</Typography.Text>
                  <Typography.Text type="secondary" code data-testid="inspector-node-id">{sel.id}</Typography.Text>
                </Space>
                {sel.id !== def?.start && (
                  <Tooltip title={t('flow.deleteNode')}>
                    <Button size="small" type="text" danger icon={<DeleteOutlined />} onClick={() => removeNodes(new Set([sel.id]))} data-testid="flow-node-delete" />
                  </Tooltip>
                )}
              </div>
              {selIssues.length > 0 && <Alert type="error" showIcon style={{ marginBottom: 8 }} message={<div data-testid="inspector-issues">{selIssues.map((i, k) => <div key={k}>{i.path}: {i.message}</div>)}</div>} />}
              <div className="kh-inspector-section">{t('flow.wiring')}</div>
              {(selType?.outcomes ?? []).length === 0 && <Typography.Text type="secondary">{t('flow.noOutcomes')}</Typography.Text>}
              {(selType?.outcomes ?? []).map((o) => (
                <div key={o} className={`kh-field ${selIssues.some((i) => i.path === `next.${o}`) ? 'kh-field-error' : ''}`}>
                  <label className="kh-field-label">{t('flow.outcome')} <Tag style={{ marginLeft: 4 }}>{o}</Tag></label>
                  <Select
                    size="small"
                    allowClear
                    style={{ width: '100%' }}
                    value={sel.next[o]}
                    placeholder={t('flow.pickTarget')}
                    onChange={(v: string | undefined) => connect(sel.id, o, v ?? null)}
                    data-testid={`wire-${o}`}
                    options={def!.nodes.filter((n) => n.id !== sel.id && n.id !== def!.start).map((n) => ({ value: n.id, label: `${labelOf(n.type)} · ${n.id}` }))}
                  />
                </div>
              ))}
              <div className="kh-inspector-section">{t('flow.config')}</div>
              {selType ? (
                <SchemaForm
                  schema={selType.configJsonSchema as JsonSchema}
                  value={sel.config}
                  onChange={(config) => updateNode(sel.id, (n) => ({ ...n, config }))}
                  errors={fieldErrors}
                  fieldOptions={{ skillGroupId: skillGroups, rule: rules }}
                  labelOf={(name) => { const k = `cfg.${name}`; return isDictKey(k) ? t(k) : undefined; }}
                  testIdPrefix="cfg-"
                />
              ) : <Alert type="warning" message={t('flow.unknownType', { type: sel.type })} />}
            </div>
          ) : (
            <div className="kh-inspector-empty">
              <Typography.Paragraph type="secondary">{t('flow.inspectorHint')}</Typography.Paragraph>
              {baseVersion && (
                <Descriptions size="small" column={1}>
                  <Descriptions.Item label={t('flow.version')}>v{baseVersion.version}</Descriptions.Item>
                  <Descriptions.Item label={t('flow.savedAt')}>{dayjs(baseVersion.createdAt).format('YYYY-MM-DD HH:mm')}</Descriptions.Item>
                  <Descriptions.Item label={t('flow.nodes')}>{def?.nodes.length}</Descriptions.Item>
                </Descriptions>
              )}
            </div>
          )}
        </aside>
      </div>
      <VersionsDrawer open={versionsOpen} onClose={() => setVersionsOpen(false)} flow={flow} current={baseVersion} labelOf={labelOf} types={types} onLoad={loadVersion} onPublish={(v) => void publish(v.id)} />
    </div>
  );
}

function fmt(v: unknown): string {
  if (v === undefined) return '∅';
  const s = JSON.stringify(v);
  return s.length > 60 ? `${s.slice(0, 57)}…` : s;
}

function VersionsDrawer({ open, onClose, flow, current, labelOf, types, onLoad, onPublish }: {
  open: boolean; onClose(): void; flow: Flow | null; current: Version | null; labelOf(type: string): string; types: NodeType[]; onLoad(v: Version): void; onPublish(v: Version): void;
}) {
  const t = useT();
  const versions = flow?.versions ?? [];
  const [a, setA] = useState<string | null>(null);
  const [b, setB] = useState<string | null>(null);
  useEffect(() => {
    if (!open) return;
    setB(versions[0]?.id ?? null);
    setA(versions[1]?.id ?? versions[0]?.id ?? null);
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [open, flow]);
  const va = versions.find((v) => v.id === a);
  const vb = versions.find((v) => v.id === b);
  const normalise = (n: FlowNodeDef) => withDefaults(n.config, types.find((x) => x.type === n.type)?.configJsonSchema as JsonSchema | undefined);
  const diff = va && vb ? diffFlows(va.definition as FlowDef, vb.definition as FlowDef, normalise) : null;
  const opts = versions.map((v) => ({ value: v.id, label: `v${v.version}${v.id === flow?.publishedVersionId ? ` (${t('flow.live')})` : ''}` }));
  return (
    <Drawer open={open} onClose={onClose} title={t('flow.versions')} width={560} destroyOnHidden>
      <List
        size="small"
        bordered
        dataSource={versions}
        style={{ marginBottom: 16, maxHeight: 260, overflow: 'auto' }}
        renderItem={(v) => (
          <List.Item
            data-testid={`version-${v.version}`}
            actions={[
              <a key="load" onClick={() => onLoad(v)}>{t('flow.load')}</a>,
              v.id !== flow?.publishedVersionId ? <Popconfirm key="pub" title={t('flow.publishConfirm', { v: v.version })} onConfirm={() => onPublish(v)}><a>{t('flow.publish')}</a></Popconfirm> : <span key="pub" />,
            ]}
          >
            <Space>
              <Typography.Text strong>v{v.version}</Typography.Text>
              {v.id === flow?.publishedVersionId && <Badge status="success" text={t('flow.live')} />}
              {v.id === current?.id && <Tag>{t('flow.editing')}</Tag>}
              <Typography.Text type="secondary">{dayjs(v.createdAt).format('YYYY-MM-DD HH:mm:ss')}</Typography.Text>
            </Space>
          </List.Item>
        )}
      />
      <Typography.Title level={5}>{t('flow.diff')}</Typography.Title>
      <Space style={{ marginBottom: 12 }}>
        <Select size="small" style={{ width: 140 }} value={a ?? undefined} onChange={setA} options={opts} data-testid="diff-from" />
        <span>→</span>
        <Select size="small" style={{ width: 140 }} value={b ?? undefined} onChange={setB} options={opts} data-testid="diff-to" />
      </Space>
      {diff && (isEmptyDiff(diff) ? <Empty image={Empty.PRESENTED_IMAGE_SIMPLE} description={t('flow.noDiff')} /> : (
        <div className="kh-diff" data-testid="flow-diff">
          {diff.startChanged && <div className="kh-diff-row mod">{t('flow.diffStart', { from: diff.startChanged.from, to: diff.startChanged.to })}</div>}
          {diff.added.map((n) => <div key={`a${n.id}`} className="kh-diff-row add">+ {t('flow.diffAdded')} <b>{n.id}</b> ({labelOf(n.type)})</div>)}
          {diff.removed.map((n) => <div key={`r${n.id}`} className="kh-diff-row del">− {t('flow.diffRemoved')} <b>{n.id}</b> ({labelOf(n.type)})</div>)}
          {diff.config.map((c) => <div key={`c${c.nodeId}${c.field}`} className="kh-diff-row mod">~ <b>{c.nodeId}</b>.{c.field}: <code>{fmt(c.from)}</code> → <code>{fmt(c.to)}</code></div>)}
          {diff.wiring.map((w) => <div key={`w${w.nodeId}${w.outcome}`} className="kh-diff-row wire">⇢ <b>{w.nodeId}</b> [{w.outcome}]: {w.from ?? '∅'} → {w.to ?? '∅'}</div>)}
          {diff.moved.length > 0 && <div className="kh-diff-row muted">{t('flow.diffMoved', { n: diff.moved.length })}</div>}
        </div>
      ))}
    </Drawer>
  );
}

/** 流程编排: palette from the node registry, canvas, config forms from each node's schema, versions, diff, publish. */
export default function FlowComposer() {
  return (
    <ReactFlowProvider>
      <Composer />
    </ReactFlowProvider>
  );
}
