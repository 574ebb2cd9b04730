import { useCallback, useEffect, useMemo, useState, type ReactNode } from 'react';
import { Alert, App, Badge, Button, Checkbox, DatePicker, Drawer, Empty, InputNumber, Radio, Select, Space, Spin, Switch, Tabs, Tag, TimePicker, Tooltip, Typography } from 'antd';
import { ArrowDownOutlined, ArrowUpOutlined, DeleteOutlined, ExperimentOutlined, PlusOutlined, SaveOutlined } from '@ant-design/icons';
import dayjs, { type Dayjs } from 'dayjs';
import { GqlError, request } from '../../../gql/client';
import { RoutingPolicyDoc, SimulateRoutingDoc, UpdateSkillGroupRoutingDoc } from '../../../gql/routing-operations';
import type {
  RoutingPolicyQuery, RoutingPolicyQueryVariables, SimulateRoutingQuery, SimulateRoutingQueryVariables, UpdateSkillGroupRoutingMutation, UpdateSkillGroupRoutingMutationVariables,
} from '../../../gql/generated';
import { useAuth } from '../../../auth';
import { useLang } from '../../../i18n';
import { SchemaForm, type JsonSchema } from '../../../components/SchemaForm';
import { configLabel, useRoutingDirectory, type CatalogEntry, type RoutingDirectory } from './directory';
import { formatDuration, isRoutingKey, useRT, type RoutingKey } from './i18n';
import {
  DAYS, DEFAULT_HOURS, errorAt, issuesByPath, overflowChain, tabOf, toPolicy, within, type Day, type Interval, type Policy, type PriorityRule, type WorkingHours,
} from './policy';
import { SimulationPanel, WINDOW_MS, type SimReport, type SimState, type SimWindow } from './SimulationPanel';
import './routing.css';

type TabKey = 'strategy' | 'priority' | 'limits' | 'hours' | 'simulate';

/** A labelled control with the issue the hub reported for its path. */
function Field({ label, path, errors, hint, children }: { label: ReactNode; path: string; errors: Record<string, string>; hint?: ReactNode; children: ReactNode }) {
  const error = errorAt(errors, path);
  return (
    <div className={`kh-rt-field ${error ? 'kh-rt-field-bad' : ''}`} data-field={path}>
      <label className="kh-rt-field-label">{label}</label>
      {children}
      {hint && !error && <div className="kh-rt-hint">{hint}</div>}
      {error && <div className="kh-rt-error" data-testid={`routing-error-${path}`}>{error}</div>}
    </div>
  );
}

const schemaOf = (c: CatalogEntry | undefined): JsonSchema => c?.configJsonSchema ?? { type: 'object', properties: {} };

function StrategyTab({ policy, set, dir, errors, disabled }: { policy: Policy; set(p: Policy): void; dir: RoutingDirectory; errors: Record<string, string>; disabled: boolean }) {
  const rt = useRT();
  const { lang } = useLang();
  const current = dir.strategies.find((s) => s.name === policy.strategy.name);
  const desc = `strategy.desc.${policy.strategy.name}`;
  return (
    <div>
      <Typography.Paragraph type="secondary" style={{ fontSize: 13 }}>{rt('strategy.intro')}</Typography.Paragraph>
      <Field label={rt('strategy.label')} path="strategy.name" errors={errors} hint={isRoutingKey(desc) ? rt(desc) : undefined}>
        <Select
          data-testid="routing-strategy"
          value={policy.strategy.name}
          disabled={disabled}
          style={{ width: 360 }}
          onChange={(name: string) => set({ ...policy, strategy: { name, config: {} } })}
          options={(dir.strategies.length ? dir.strategies : [{ name: policy.strategy.name, plugin: 'core', label: {} } as CatalogEntry]).map((s) => ({
            value: s.name,
            label: <Space size={6}>{s.label[lang] ?? s.label.en ?? s.name}{s.plugin !== 'core' && <Tag style={{ marginInlineEnd: 0 }}>{rt('strategy.plugin', { plugin: s.plugin })}</Tag>}</Space>,
          }))}
        />
      </Field>
      <div className="kh-rt-sub">{rt('strategy.config')}</div>
      <SchemaForm
        schema={schemaOf(current)}
        value={policy.strategy.config}
        onChange={(config) => set({ ...policy, strategy: { ...policy.strategy, config } })}
        errors={within(errors, 'strategy.config')}
        disabled={disabled}
        testIdPrefix="routing-strategy-cfg-"
        labelOf={configLabel(rt)}
      />
    </div>
  );
}

function RuleCard({ index, count, rule, onChange, onMove, onRemove, dir, errors, disabled }: {
  index: number; count: number; rule: PriorityRule; onChange(r: PriorityRule): void; onMove(by: -1 | 1): void; onRemove(): void; dir: RoutingDirectory; errors: Record<string, string>; disabled: boolean;
}) {
  const rt = useRT();
  const { lang } = useLang();
  const base = `priorityRules.${index}`;
  const entry = dir.rules.find((r) => r.name === rule.rule);
  const bad = !!errorAt(errors, base);
  return (
    <div className={`kh-rt-rule ${bad ? 'kh-rt-bad' : ''}`} data-testid={`routing-rule-${index}`}>
      <div className="kh-rt-rule-head">
        <span className="kh-rt-rule-no">{index + 1}</span>
        <Field label={rt('rule.name')} path={`${base}.rule`} errors={errors}>
          <Select
            data-testid={`routing-rule-${index}-name`}
            value={rule.rule || undefined}
            disabled={disabled}
            style={{ width: 260 }}
            onChange={(name: string) => onChange({ ...rule, rule: name, config: {} })}
            options={dir.rules.map((r) => ({ value: r.name, label: r.label[lang] ?? r.label.en ?? r.name }))}
          />
        </Field>
        <Field label={rt('rule.weight')} path={`${base}.weight`} errors={errors} hint={rt('rule.weightHint', { n: rule.weight, ten: formatDuration(rt, rule.weight * 10) })}>
          <InputNumber
            data-testid={`routing-rule-${index}-weight`}
            value={rule.weight}
            min={0}
            max={86_400}
            disabled={disabled}
            style={{ width: 170 }}
            suffix={rt('rule.weightUnit')}
            onChange={(v) => onChange({ ...rule, weight: typeof v === 'number' ? v : 0 })}
          />
        </Field>
        <span style={{ flex: 1 }} />
        {!disabled && (
          <Space size={0} className="kh-rt-rule-actions">
            <Tooltip title={rt('rule.up')}><Button type="text" size="small" icon={<ArrowUpOutlined />} disabled={index === 0} onClick={() => onMove(-1)} data-testid={`routing-rule-${index}-up`} /></Tooltip>
            <Tooltip title={rt('rule.down')}><Button type="text" size="small" icon={<ArrowDownOutlined />} disabled={index === count - 1} onClick={() => onMove(1)} data-testid={`routing-rule-${index}-down`} /></Tooltip>
            <Tooltip title={rt('rule.remove')}><Button type="text" size="small" danger icon={<DeleteOutlined />} onClick={onRemove} data-testid={`routing-rule-${index}-remove`} /></Tooltip>
          </Space>
        )}
      </div>
      {entry && (
        <div className="kh-rt-rule-body">
          <SchemaForm
            schema={schemaOf(entry)}
            value={rule.config}
            onChange={(config) => onChange({ ...rule, config })}
            errors={within(errors, `${base}.config`)}
            disabled={disabled}
            testIdPrefix={`routing-rule-${index}-cfg-`}
            labelOf={configLabel(rt)}
          />
        </div>
      )}
    </div>
  );
}

function PriorityTab({ policy, set, dir, errors, disabled }: { policy: Policy; set(p: Policy): void; dir: RoutingDirectory; errors: Record<string, string>; disabled: boolean }) {
  const rt = useRT();
  const rules = policy.priorityRules;
  const put = (next: PriorityRule[]) => set({ ...policy, priorityRules: next });
  const add = () => {
    const used = new Set(rules.map((r) => r.rule));
    const name = dir.rules.find((r) => !used.has(r.name))?.name ?? dir.rules[0]?.name ?? '';
    put([...rules, { rule: name, weight: 60, config: {} }]);
  };
  return (
    <div>
      <Typography.Paragraph type="secondary" style={{ fontSize: 13 }}>{rt('rule.intro')}</Typography.Paragraph>
      {errors.priorityRules && <Alert type="error" showIcon title={errors.priorityRules} style={{ marginBottom: 8 }} />}
      {!rules.length && <Empty image={Empty.PRESENTED_IMAGE_SIMPLE} description={rt('rule.none')} />}
      {rules.map((r, i) => (
        <RuleCard
          key={i}
          index={i}
          count={rules.length}
          rule={r}
          dir={dir}
          errors={errors}
          disabled={disabled}
          onChange={(next) => put(rules.map((x, j) => (j === i ? next : x)))}
          onMove={(by) => { const next = [...rules]; [next[i], next[i + by]] = [next[i + by]!, next[i]!]; put(next); }}
          onRemove={() => put(rules.filter((_, j) => j !== i))}
        />
      ))}
      {!disabled && (
        <Tooltip title={rules.length >= 20 ? rt('rule.max') : undefined}>
          <Button type="dashed" icon={<PlusOutlined />} onClick={add} disabled={rules.length >= 20 || !dir.rules.length} data-testid="routing-rule-add">{rt('rule.add')}</Button>
        </Tooltip>
      )}
    </div>
  );
}

function LimitsTab({ policy, set, groupId, groups, stored, dir, errors, disabled }: {
  policy: Policy; set(p: Policy): void; groupId: string; groups: RoutingPolicyQuery['skillGroups']; stored: Map<string, Policy>; dir: RoutingDirectory; errors: Record<string, string>; disabled: boolean;
}) {
  const rt = useRT();
  const o = policy.overflow;
  const chain = o ? overflowChain(groupId, policy, stored) : [];
  return (
    <div>
      <Space size={24} wrap align="start">
        <Field label={rt('limits.maxChats')} path="maxChatsPerAgent" errors={errors} hint={rt('limits.maxChatsHint')}>
          <InputNumber data-testid="routing-max-chats" value={policy.maxChatsPerAgent} min={1} max={100} precision={0} placeholder={rt('limits.unlimited')} disabled={disabled} style={{ width: 200 }}
            onChange={(v) => set({ ...policy, maxChatsPerAgent: typeof v === 'number' ? v : null })} />
        </Field>
        <Field label={rt('limits.maxQueue')} path="maxQueueLength" errors={errors} hint={rt('limits.maxQueueHint')}>
          <InputNumber data-testid="routing-max-queue" value={policy.maxQueueLength} min={1} max={100_000} precision={0} placeholder={rt('limits.unlimited')} disabled={disabled} style={{ width: 200 }}
            onChange={(v) => set({ ...policy, maxQueueLength: typeof v === 'number' ? v : null })} />
        </Field>
      </Space>
      <div className="kh-rt-sub" style={{ marginTop: 8 }}>
        <Space>
          {rt('overflow.title')}
          <Switch size="small" checked={!!o} disabled={disabled} data-testid="routing-overflow-enabled"
            onChange={(on) => set({ ...policy, overflow: on ? { afterSec: 120, toSkillGroupId: null } : null })} />
        </Space>
      </div>
      <Typography.Paragraph type="secondary" style={{ fontSize: 13 }}>{o ? rt('overflow.intro') : rt('overflow.off')}</Typography.Paragraph>
      {errors.overflow && <Alert type="error" showIcon title={errors.overflow} style={{ marginBottom: 8 }} />}
      {o && (
        <>
          <Space size={24} wrap align="start">
            <Field label={rt('overflow.after')} path="overflow.afterSec" errors={errors} hint={formatDuration(rt, o.afterSec)}>
              <InputNumber data-testid="routing-overflow-after" value={o.afterSec} min={0} max={86_400} precision={0} disabled={disabled} style={{ width: 160 }} suffix={rt('overflow.sec')}
                onChange={(v) => set({ ...policy, overflow: { ...o, afterSec: typeof v === 'number' ? v : 0 } })} />
            </Field>
            <Field label={rt('overflow.to')} path="overflow.toSkillGroupId" errors={errors}>
              <Space wrap>
                <Radio.Group
                  data-testid="routing-overflow-kind"
                  value={o.toSkillGroupId === null ? 'offline' : 'group'}
                  disabled={disabled}
                  onChange={(e) => set({ ...policy, overflow: { ...o, toSkillGroupId: e.target.value === 'offline' ? null : groups.find((g) => g.id !== groupId)?.id ?? null } })}
                  options={[{ value: 'group', label: <span data-testid="routing-overflow-to-group">{rt('overflow.toGroup')}</span>, disabled: groups.length < 2 }, { value: 'offline', label: <span data-testid="routing-overflow-to-offline">{rt('overflow.toOffline')}</span> }]}
                />
                {o.toSkillGroupId !== null && (
                  <Select
                    data-testid="routing-overflow-target"
                    value={o.toSkillGroupId}
                    disabled={disabled}
                    style={{ width: 220 }}
                    placeholder={rt('overflow.chooseGroup')}
                    showSearch={{ optionFilterProp: 'label' }}
                    onChange={(id: string) => set({ ...policy, overflow: { ...o, toSkillGroupId: id } })}
                    options={groups.filter((g) => g.id !== groupId).map((g) => ({ value: g.id, label: g.name }))}
                  />
                )}
              </Space>
            </Field>
          </Space>
          <div className="kh-rt-chain" data-testid="routing-overflow-chain">
            <Typography.Text type="secondary">{rt('overflow.chain')}{rt('colon')}</Typography.Text>
            <Tag color="blue">{dir.groupName(groupId)}</Tag>
            {chain.map((g, i) => (
              <span key={i}>→ {g === 'loop' ? <Tag color="red">{rt('overflow.loop')}</Tag> : g === null ? <Tag color="purple">{rt('overflow.offline')}</Tag> : <Tag>{dir.groupName(g)}</Tag>}</span>
            ))}
          </div>
        </>
      )}
    </div>
  );
}

const TZ_FALLBACK = ['Asia/Shanghai', 'Asia/Hong_Kong', 'Asia/Taipei', 'Asia/Singapore', 'Asia/Tokyo', 'Europe/London', 'Europe/Berlin', 'America/New_York', 'America/Los_Angeles', 'UTC'];
const timeZones = (): string[] => {
  const intl = Intl as unknown as { supportedValuesOf?: (k: string) => string[] };
  try { return intl.supportedValuesOf?.('timeZone') ?? TZ_FALLBACK; } catch { return TZ_FALLBACK; }
};
const hm = (s: string): Dayjs | null => {
  const m = /^(\d{2}):(\d{2})$/.exec(s);
  return m ? dayjs().hour(Number(m[1])).minute(Number(m[2])).second(0).millisecond(0) : null;
};

function HoursTab({ policy, set, errors, disabled, defaultTz }: { policy: Policy; set(p: Policy): void; errors: Record<string, string>; disabled: boolean; defaultTz: string }) {
  const rt = useRT();
  const h = policy.workingHours;
  const zones = useMemo(timeZones, []);
  const put = (next: WorkingHours) => set({ ...policy, workingHours: next });
  const setDay = (day: Day, intervals: Interval[]) => h && put({ ...h, weekly: { ...h.weekly, [day]: intervals } });
  return (
    <div>
      <Space style={{ marginBottom: 8 }}>
        <Switch size="small" checked={!!h} disabled={disabled} data-testid="routing-hours-enabled" onChange={(on) => set({ ...policy, workingHours: on ? DEFAULT_HOURS(defaultTz) : null })} />
        <span>{rt('hours.enabled')}</span>
      </Space>
      <Typography.Paragraph type="secondary" style={{ fontSize: 13 }}>{h ? rt('hours.intro') : rt('hours.always')}</Typography.Paragraph>
      {h && (
        <>
          <Space size={24} wrap align="start">
            <Field label={rt('hours.timezone')} path="workingHours.timezone" errors={errors}>
              <Select data-testid="routing-hours-tz" value={h.timezone} disabled={disabled} style={{ width: 240 }} showSearch
                onChange={(tz: string) => put({ ...h, timezone: tz })} options={zones.map((z) => ({ value: z, label: z }))} />
            </Field>
            <Field label=" " path="workingHours.alwaysOpen" errors={errors}>
              <Checkbox checked={h.alwaysOpen} disabled={disabled} onChange={(e) => put({ ...h, alwaysOpen: e.target.checked })} data-testid="routing-hours-always">{rt('hours.alwaysOpen')}</Checkbox>
            </Field>
          </Space>
          <div className="kh-rt-sub">
            <Space>
              {rt('hours.weekly')}
              {!disabled && <Button size="small" type="link" onClick={() => put({ ...h, weekly: { ...h.weekly, tue: h.weekly.mon, wed: h.weekly.mon, thu: h.weekly.mon, fri: h.weekly.mon } })}>{rt('hours.copyToWeekdays')}</Button>}
            </Space>
          </div>
          {errors['workingHours.weekly'] && <div className="kh-rt-error">{errors['workingHours.weekly']}</div>}
          {DAYS.map((day) => {
            const list = h.weekly[day];
            return (
              <div key={day} className="kh-rt-day" data-testid={`routing-hours-${day}`}>
                <span className="kh-rt-day-name">{rt(`day.${day}` as RoutingKey)}</span>
                <div className="kh-rt-intervals">
                  {!list.length && <Typography.Text type="secondary">{rt('hours.closed')}</Typography.Text>}
                  {list.map((iv, i) => {
                    const err = errorAt(errors, `workingHours.weekly.${day}.${i}`);
                    return (
                      <span key={i} className="kh-rt-interval" data-field={`workingHours.weekly.${day}.${i}`}>
                        <Space size={2}>
                          <TimePicker.RangePicker
                            size="small"
                            format="HH:mm"
                            minuteStep={5}
                            allowClear={false}
                            disabled={disabled}
                            status={err ? 'error' : undefined}
                            value={[hm(iv[0]), hm(iv[1])]}
                            onChange={(v) => { if (v?.[0] && v[1]) setDay(day, list.map((x, j) => (j === i ? [v[0]!.format('HH:mm'), v[1]!.format('HH:mm')] : x))); }}
                            data-testid={`routing-hours-${day}-${i}`}
                            style={{ width: 170 }}
                          />
                          {!disabled && <Button size="small" type="text" icon={<DeleteOutlined />} onClick={() => setDay(day, list.filter((_, j) => j !== i))} />}
                        </Space>
                        {err && <span className="kh-rt-error">{err}</span>}
                      </span>
                    );
                  })}
                  {!disabled && list.length < 6 && (
                    <Button size="small" type="dashed" icon={<PlusOutlined />} onClick={() => setDay(day, [...list, list.length ? [list[list.length - 1]![1] < '20:00' ? list[list.length - 1]![1] : '20:00', '22:00'] : ['09:00', '18:00']])}>
                      {rt('hours.addInterval')}
                    </Button>
                  )}
                  {errorAt(errors, `workingHours.weekly.${day}`) && !list.some((_, i) => errorAt(errors, `workingHours.weekly.${day}.${i}`)) && <span className="kh-rt-error">{errorAt(errors, `workingHours.weekly.${day}`)}</span>}
                </div>
              </div>
            );
          })}
          <div style={{ marginTop: 12 }}>
            <Field label={rt('hours.holidays')} path="workingHours.holidays" errors={errors} hint={rt('hours.holidaysHint')}>
              <DatePicker
                multiple
                data-testid="routing-hours-holidays"
                disabled={disabled}
                format="YYYY-MM-DD"
                style={{ width: '100%', maxWidth: 560 }}
                value={h.holidays.map((d) => dayjs(d))}
                onChange={(v: Dayjs[] | null) => put({ ...h, holidays: [...new Set((v ?? []).map((d) => d.format('YYYY-MM-DD')))].sort() })}
              />
            </Field>
          </div>
        </>
      )}
    </div>
  );
}

/**
 * 路由策略: a skill group's routing policy in a drawer — strategy, priority rules, capacity, overflow,
 * working hours, and a simulation of the edit against a recorded window before it is saved. Admins
 * edit; supervisors read (and may simulate).
 */
export default function PolicyEditor({ groupId, onClose, onSaved }: { groupId: string | null; onClose(): void; onSaved?(): void }) {
  const rt = useRT();
  const { perms, workspace } = useAuth();
  const { message, modal } = App.useApp();
  const dir = useRoutingDirectory();
  const canEdit = perms.directoryWrite;
  const [data, setData] = useState<RoutingPolicyQuery | null>(null);
  const [policy, setPolicy] = useState<Policy | null>(null);
  const [saved, setSaved] = useState<string>('');
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [tab, setTab] = useState<TabKey>('strategy');
  const [saving, setSaving] = useState(false);
  const [loadError, setLoadError] = useState<string | null>(null);
  const [sim, setSim] = useState<SimState>({ window: 'day', running: false, result: null, error: null });

  useEffect(() => {
    setData(null); setPolicy(null); setErrors({}); setTab('strategy'); setLoadError(null);
    setSim((s) => ({ ...s, result: null, error: null }));
    if (!groupId) return;
    request<RoutingPolicyQuery, RoutingPolicyQueryVariables>(RoutingPolicyDoc, { id: groupId })
      .then((d) => { const p = toPolicy(d.skillGroup.routingPolicy); setData(d); setPolicy(p); setSaved(JSON.stringify(p)); })
      .catch((e: unknown) => setLoadError((e as Error).message));
  }, [groupId]);

  const stored = useMemo(() => new Map((data?.skillGroups ?? []).map((g) => [g.id, toPolicy(g.routingPolicy)])), [data]);
  const dirty = !!policy && JSON.stringify(policy) !== saved;
  const change = useCallback((p: Policy) => { setPolicy(p); }, []);

  /** Shows the hub's issues on their fields and opens the first tab that has one. */
  const showIssues = useCallback((issues: { path?: string; message: string }[], strip = '') => {
    const byPath = issuesByPath(issues, strip);
    setErrors(byPath);
    const first = Object.keys(byPath).map(tabOf).find((x) => x);
    if (first) setTab(first);
  }, []);

  const save = async () => {
    if (!groupId || !policy) return;
    setSaving(true);
    try {
      const d = await request<UpdateSkillGroupRoutingMutation, UpdateSkillGroupRoutingMutationVariables>(UpdateSkillGroupRoutingDoc, { id: groupId, policy });
      const p = toPolicy(d.updateSkillGroupRouting.routingPolicy);
      setPolicy(p); setSaved(JSON.stringify(p)); setErrors({});
      setData((cur) => cur && { ...cur, skillGroups: cur.skillGroups.map((g) => (g.id === groupId ? { ...g, routingPolicy: d.updateSkillGroupRouting.routingPolicy } : g)) });
      message.success(rt('policy.saved'));
      onSaved?.();
    } catch (e) {
      if (e instanceof GqlError && e.code === 'BAD_USER_INPUT' && e.issues.length) {
        showIssues(e.issues);
        message.error(rt('policy.invalid', { n: e.issues.length }));
      } else message.error((e as Error).message);
    } finally {
      setSaving(false);
    }
  };

  const simulate = async (window: SimWindow = sim.window) => {
    if (!groupId || !policy) return;
    setTab('simulate');
    setSim((s) => ({ ...s, window, running: true, error: null }));
    const to = new Date();
    const from = new Date(to.getTime() - WINDOW_MS[window]);
    try {
      const d = await request<SimulateRoutingQuery, SimulateRoutingQueryVariables>(SimulateRoutingDoc, { from: from.toISOString(), to: to.toISOString(), policies: { [groupId]: policy } });
      const s = d.simulateRouting;
      setSim((cur) => ({ ...cur, running: false, result: { arrivals: s.arrivals, agents: s.agents, baseline: s.baseline as SimReport, proposed: s.proposed as SimReport, from, to } }));
    } catch (e) {
      let error = (e as Error).message;
      if (e instanceof GqlError && e.code === 'CONFLICT') error = rt('sim.busy');
      else if (e instanceof GqlError && e.code === 'BAD_USER_INPUT' && e.issues.some((i) => i.path?.startsWith(`${groupId}.`) || i.path === groupId)) {
        showIssues(e.issues, groupId);
        setTab('simulate');
        error = rt('sim.invalid');
      }
      setSim((cur) => ({ ...cur, running: false, error }));
    }
  };

  const close = () => {
    if (dirty && canEdit) modal.confirm({ title: rt('policy.discard'), okText: rt('policy.discardOk'), cancelText: rt('policy.keepEditing'), onOk: onClose });
    else onClose();
  };
  const count = (k: TabKey) => Object.keys(errors).filter((p) => tabOf(p) === k).length;
  const label = (k: TabKey, text: string) => <span data-testid={`routing-tab-${k}`}>{count(k) ? <Badge count={count(k)} size="small" offset={[8, -2]}>{text}</Badge> : text}</span>;
  const other = Object.entries(errors).filter(([p]) => !tabOf(p));
  const group = data?.skillGroup;

  return (
    <Drawer
      open={!!groupId}
      onClose={close}
      size={Math.min(1000, window.innerWidth - 48)}
      destroyOnHidden
      title={rt('policy.title', { name: group?.name ?? '' })}
      extra={dirty && <Tag color="orange">{rt('policy.unsaved')}</Tag>}
      footer={policy && (
        <div className="kh-rt-footer">
          <Typography.Text type="secondary">{canEdit ? '' : rt('policy.readOnly')}</Typography.Text>
          <Space>
            <Button icon={<ExperimentOutlined />} onClick={() => void simulate()} loading={sim.running} data-testid="routing-simulate">{rt('policy.simulateFirst')}</Button>
            {canEdit && dirty && <Button onClick={() => { setPolicy(toPolicy(JSON.parse(saved))); setErrors({}); }} data-testid="routing-revert">{rt('policy.revert')}</Button>}
            {canEdit && <Button type="primary" icon={<SaveOutlined />} loading={saving} onClick={() => void save()} data-testid="routing-save">{rt('policy.save')}</Button>}
          </Space>
        </div>
      )}
    >
      {loadError && <Alert type="error" showIcon title={loadError} />}
      {!policy && !loadError && <Spin />}
      {policy && group && (
        <div className="kh-rt-editor" data-testid="routing-policy-editor">
          {!canEdit && <Alert type="info" showIcon title={rt('policy.readOnly')} style={{ marginBottom: 12 }} />}
          {other.length > 0 && <Alert type="error" showIcon title={rt('policy.otherIssues')} description={other.map(([p, m]) => `${p || '—'}: ${m}`).join('; ')} style={{ marginBottom: 12 }} data-testid="routing-other-issues" />}
          <Tabs
            activeKey={tab}
            onChange={(k) => setTab(k as TabKey)}
            items={[
              { key: 'strategy', label: label('strategy', rt('tab.strategy')), children: <StrategyTab policy={policy} set={change} dir={dir} errors={errors} disabled={!canEdit} /> },
              { key: 'priority', label: label('priority', rt('tab.priority')), children: <PriorityTab policy={policy} set={change} dir={dir} errors={errors} disabled={!canEdit} /> },
              { key: 'limits', label: label('limits', rt('tab.limits')), children: <LimitsTab policy={policy} set={change} groupId={group.id} groups={data.skillGroups} stored={stored} dir={dir} errors={errors} disabled={!canEdit} /> },
              { key: 'hours', label: label('hours', rt('tab.hours')), children: <HoursTab policy={policy} set={change} errors={errors} disabled={!canEdit} defaultTz={workspace?.timezone ?? 'Asia/Shanghai'} /> },
              { key: 'simulate', label: label('simulate', rt('tab.simulate')), children: <SimulationPanel state={sim} dir={dir} onWindow={(w) => setSim((s) => ({ ...s, window: w }))} onRun={() => void simulate()} /> },
            ]}
          />
        </div>
      )}
    </Drawer>
  );
}
