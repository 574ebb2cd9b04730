import { useEffect, useState } from 'react';
import { Button, Input, InputNumber, Select, Switch, Typography, Tooltip } from 'antd';
import { MinusCircleOutlined, PlusOutlined, QuestionCircleOutlined } from '@ant-design/icons';
import { useT } from '../i18n';

/** The subset of JSON Schema the hub's zod schemas render to (z.toJSONSchema). */
export interface JsonSchema {
  type?: string | string[];
  title?: string;
  description?: string;
  properties?: Record<string, JsonSchema>;
  required?: string[];
  items?: JsonSchema | JsonSchema[];
  prefixItems?: JsonSchema[];
  enum?: unknown[];
  const?: unknown;
  anyOf?: JsonSchema[];
  oneOf?: JsonSchema[];
  default?: unknown;
  minimum?: number;
  maximum?: number;
  exclusiveMinimum?: number;
  exclusiveMaximum?: number;
  minLength?: number;
  maxLength?: number;
  maxItems?: number;
  pattern?: string;
  format?: string;
  additionalProperties?: boolean | JsonSchema;
}

export type Option = { value: string; label: string };

interface Props {
  schema: JsonSchema;
  value: Record<string, unknown>;
  onChange(v: Record<string, unknown>): void;
  /** Validation messages by dotted path inside the value (e.g. "timeoutSec", "weekly.mon"). */
  errors?: Record<string, string>;
  /** Choices for fields by property name (e.g. skillGroupId → the workspace's skill groups). */
  fieldOptions?: Record<string, Option[]>;
  disabled?: boolean;
  testIdPrefix?: string;
  /** Display names of fields by property name; the property name is shown beside them. */
  labelOf?: (name: string) => string | undefined;
}

type Kind = 'string' | 'enum' | 'number' | 'integer' | 'boolean' | 'stringArray' | 'enumArray' | 'tupleArray' | 'objectArray' | 'record' | 'object' | 'json';

/** Strips `null` from a nullable schema: `anyOf: [X, {type: null}]` or `type: [X, "null"]`. */
function unwrap(s: JsonSchema): { schema: JsonSchema; nullable: boolean } {
  const alts = s.anyOf ?? s.oneOf;
  if (alts) {
    const nonNull = alts.filter((a) => a.type !== 'null');
    if (nonNull.length === 1 && nonNull.length < alts.length) return { schema: { ...nonNull[0], title: s.title ?? nonNull[0].title, description: s.description ?? nonNull[0].description, default: s.default ?? nonNull[0].default }, nullable: true };
  }
  if (Array.isArray(s.type)) {
    const types = s.type.filter((x) => x !== 'null');
    if (types.length === 1) return { schema: { ...s, type: types[0] }, nullable: types.length < s.type.length };
  }
  return { schema: s, nullable: false };
}

export function kindOf(s: JsonSchema): Kind {
  const { schema } = unwrap(s);
  if (schema.enum && schema.enum.every((x) => typeof x === 'string')) return 'enum';
  switch (schema.type) {
    case 'string': return 'string';
    case 'number': return 'number';
    case 'integer': return 'integer';
    case 'boolean': return 'boolean';
    case 'object': {
      if (schema.properties) return 'object';
      // A map of names to numbers or strings (e.g. customer tag → priority points): rows of key and value.
      const values = typeof schema.additionalProperties === 'object' ? unwrap(schema.additionalProperties).schema : null;
      return values && (values.type === 'number' || values.type === 'integer' || values.type === 'string') && !values.enum ? 'record' : 'json';
    }
    case 'array': {
      const items = Array.isArray(schema.items) ? null : schema.items;
      if (!items || schema.prefixItems) return 'json';
      const inner = unwrap(items).schema;
      if (inner.enum && inner.enum.every((x) => typeof x === 'string')) return 'enumArray';
      if (inner.type === 'string') return 'stringArray';
      // Rows of fixed-length string tuples, e.g. working-hours intervals [["09:00", "18:00"]].
      if (inner.type === 'array' && inner.prefixItems?.length && inner.prefixItems.every((p) => unwrap(p).schema.type === 'string')) return 'tupleArray';
      if (inner.type === 'object' && inner.properties) return 'objectArray';
      return 'json';
    }
    default: return 'json';
  }
}

function JsonField({ value, onChange, disabled, testId }: { value: unknown; onChange(v: unknown): void; disabled?: boolean; testId?: string }) {
  const t = useT();
  const [text, setText] = useState(() => JSON.stringify(value ?? null, null, 2));
  const [bad, setBad] = useState(false);
  useEffect(() => {
    // Follow outside changes unless the text is mid-edit and invalid.
    setText((cur) => { try { return JSON.stringify(JSON.parse(cur)) === JSON.stringify(value ?? null) ? cur : JSON.stringify(value ?? null, null, 2); } catch { return cur; } });
  }, [value]);
  return (
    <>
      <Input.TextArea
        className="kh-json"
        autoSize={{ minRows: 2, maxRows: 12 }}
        value={text}
        disabled={disabled}
        status={bad ? 'error' : undefined}
        data-testid={testId}
        onChange={(e) => {
          setText(e.target.value);
          try { onChange(JSON.parse(e.target.value)); setBad(false); } catch { setBad(true); }
        }}
      />
      {bad && <Typography.Text type="danger" style={{ fontSize: 12 }}>{t('form.badJson')}</Typography.Text>}
    </>
  );
}

function Field({ name, path, schema, value, onChange, errors, fieldOptions, disabled, testIdPrefix, labelOf }: {
  name: string; path: string; schema: JsonSchema; value: unknown; onChange(v: unknown): void; errors: Record<string, string>; fieldOptions: Record<string, Option[]>; disabled?: boolean; testIdPrefix: string; labelOf: (name: string) => string | undefined;
}) {
  const t = useT();
  const { schema: s, nullable } = unwrap(schema);
  const kind = kindOf(schema);
  const testId = `${testIdPrefix}${path}`;
  const placeholder = s.default !== undefined && typeof s.default !== 'object' ? String(s.default) : undefined;
  const options = fieldOptions[name];
  let control: React.ReactNode;
  if (options) {
    control = <Select allowClear={nullable} value={(value as string) ?? undefined} onChange={(v) => onChange(v ?? (nullable ? null : undefined))} options={options} disabled={disabled} data-testid={testId} placeholder={placeholder ?? t('form.choose')} style={{ width: '100%' }} />;
  } else switch (kind) {
    case 'object':
      return (
        <fieldset className="kh-fieldset">
          <legend>{labelOf(name) ?? s.title ?? name}</legend>
          {s.description && <Typography.Text type="secondary" style={{ fontSize: 12 }}>{s.description}</Typography.Text>}
          <Fields schema={s} value={(value as Record<string, unknown>) ?? {}} onChange={onChange} errors={errors} fieldOptions={fieldOptions} disabled={disabled} prefix={`${path}.`} testIdPrefix={testIdPrefix} labelOf={labelOf} />
        </fieldset>
      );
    case 'enum':
      control = <Select allowClear={nullable} value={(value as string) ?? undefined} onChange={(v) => onChange(v ?? null)} options={(s.enum as string[]).map((x) => ({ value: x, label: x }))} disabled={disabled} data-testid={testId} placeholder={placeholder} style={{ width: '100%' }} />;
      break;
    case 'string': {
      const long = (s.maxLength ?? 0) > 200 || /greeting|prompt|template|text|message/i.test(name);
      const v = (value as string | null | undefined) ?? '';
      const set = (x: string) => onChange(x === '' ? (nullable ? null : undefined) : x);
      control = long
        ? <Input.TextArea autoSize={{ minRows: 2, maxRows: 6 }} value={v} onChange={(e) => set(e.target.value)} disabled={disabled} placeholder={placeholder} maxLength={s.maxLength} data-testid={testId} />
        : <Input value={v} onChange={(e) => set(e.target.value)} disabled={disabled} placeholder={placeholder} maxLength={s.maxLength} data-testid={testId} type={s.format === 'password' || /secret|password|token/i.test(name) ? 'password' : 'text'} />;
      break;
    }
    case 'number':
    case 'integer':
      control = (
        <InputNumber
          value={(value as number | null | undefined) ?? null}
          onChange={(v) => onChange(v ?? (nullable ? null : undefined))}
          min={s.minimum ?? s.exclusiveMinimum}
          max={s.maximum ?? s.exclusiveMaximum}
          precision={kind === 'integer' ? 0 : undefined}
          placeholder={placeholder}
          disabled={disabled}
          style={{ width: '100%' }}
          data-testid={testId}
        />
      );
      break;
    case 'boolean':
      control = <Switch size="small" checked={(value as boolean | undefined) ?? (s.default as boolean | undefined) ?? false} onChange={(v) => onChange(v)} disabled={disabled} data-testid={testId} />;
      break;
    case 'stringArray':
      control = <Select mode="tags" value={(value as string[] | undefined) ?? []} onChange={(v) => onChange(v)} disabled={disabled} tokenSeparators={['\n']} open={false} suffixIcon={null} data-testid={testId} placeholder={t('form.tagsHint')} style={{ width: '100%' }} />;
      break;
    case 'enumArray': {
      const items = unwrap(s.items as JsonSchema).schema;
      control = <Select mode="multiple" value={(value as string[] | undefined) ?? []} onChange={(v) => onChange(v)} options={(items.enum as string[]).map((x) => ({ value: x, label: x }))} disabled={disabled} data-testid={testId} style={{ width: '100%' }} />;
      break;
    }
    case 'tupleArray': {
      const inner = unwrap(s.items as JsonSchema).schema;
      const width = inner.prefixItems!.length;
      const rows = (Array.isArray(value) ? value : Array.isArray(s.default) ? s.default : []) as string[][];
      const set = (next: string[][]) => onChange(next);
      control = (
        <div data-testid={testId}>
          {rows.map((row, i) => (
            <div key={i} className="kh-tuple-row">
              {Array.from({ length: width }, (_, k) => (
                <Input key={k} size="small" value={row[k] ?? ''} disabled={disabled} placeholder={inner.prefixItems![k]!.pattern?.includes(':') ? 'HH:MM' : undefined}
                  onChange={(e) => set(rows.map((r, j) => (j === i ? Object.assign([...r], { [k]: e.target.value }) : r)))} style={{ width: 84 }} />
              )).reduce<React.ReactNode[]>((acc, el, k) => (k ? [...acc, <span key={`s${k}`} className="kh-tuple-sep">–</span>, el] : [el]), [])}
              <Button size="small" type="text" icon={<MinusCircleOutlined />} disabled={disabled} onClick={() => set(rows.filter((_, j) => j !== i))} />
            </div>
          ))}
          {(s.maxItems === undefined || rows.length < s.maxItems) && (
            <Button size="small" type="dashed" icon={<PlusOutlined />} disabled={disabled} onClick={() => set([...rows, Array.from({ length: width }, () => '')])}>{t('form.addRow')}</Button>
          )}
        </div>
      );
      break;
    }
    case 'objectArray': {
      const inner = unwrap(s.items as JsonSchema).schema;
      const rows = (Array.isArray(value) ? value : Array.isArray(s.default) ? s.default : []) as Record<string, unknown>[];
      const set = (next: Record<string, unknown>[]) => onChange(next);
      control = (
        <div data-testid={testId}>
          {rows.map((row, i) => (
            <fieldset key={i} className="kh-fieldset kh-array-item">
              <legend>#{i + 1} <Button size="small" type="text" danger icon={<MinusCircleOutlined />} disabled={disabled} onClick={() => set(rows.filter((_, j) => j !== i))} /></legend>
              <Fields schema={inner} value={row ?? {}} onChange={(v) => set(rows.map((r, j) => (j === i ? v : r)))} errors={errors} fieldOptions={fieldOptions} disabled={disabled} prefix={`${path}.${i}.`} testIdPrefix={testIdPrefix} labelOf={labelOf} />
            </fieldset>
          ))}
          {(s.maxItems === undefined || rows.length < s.maxItems) && (
            <Button size="small" type="dashed" icon={<PlusOutlined />} disabled={disabled} onClick={() => set([...rows, {}])}>{t('form.addItem')}</Button>
          )}
        </div>
      );
      break;
    }
    case 'record': {
      const values = unwrap(s.additionalProperties as JsonSchema).schema;
      const numeric = values.type !== 'string';
      const current = (value && typeof value === 'object' && !Array.isArray(value) ? value : s.default && typeof s.default === 'object' ? s.default : {}) as Record<string, unknown>;
      // Rows keep their order while a key is being typed (an object would re-sort or merge them).
      const rows = Object.entries(current);
      const set = (next: [string, unknown][]) => onChange(Object.fromEntries(next));
      control = (
        <div data-testid={testId}>
          {rows.map(([k, v], i) => (
            <div key={i} className="kh-tuple-row" data-testid={`${testId}.${i}`}>
              <Input size="small" value={k} disabled={disabled} maxLength={s.maxLength ?? 64} placeholder={t('form.key')} style={{ width: 140 }}
                onChange={(e) => set(rows.map((r, j) => (j === i ? [e.target.value, r[1]] : r)))} data-testid={`${testId}.${i}.key`} />
              <span className="kh-tuple-sep">→</span>
              {numeric
                ? <InputNumber size="small" value={(v as number | null | undefined) ?? null} disabled={disabled} min={values.minimum ?? values.exclusiveMinimum} max={values.maximum ?? values.exclusiveMaximum} precision={values.type === 'integer' ? 0 : undefined}
                  onChange={(x) => set(rows.map((r, j) => (j === i ? [r[0], x ?? 0] : r)))} style={{ width: 100 }} data-testid={`${testId}.${i}.value`} />
                : <Input size="small" value={(v as string | undefined) ?? ''} disabled={disabled} onChange={(e) => set(rows.map((r, j) => (j === i ? [r[0], e.target.value] : r)))} style={{ width: 160 }} data-testid={`${testId}.${i}.value`} />}
              <Button size="small" type="text" icon={<MinusCircleOutlined />} disabled={disabled} onClick={() => set(rows.filter((_, j) => j !== i))} />
            </div>
          ))}
          <Button size="small" type="dashed" icon={<PlusOutlined />} disabled={disabled || rows.some(([k]) => k === '')} onClick={() => set([...rows, ['', numeric ? 0 : '']])}>{t('form.addItem')}</Button>
        </div>
      );
      break;
    }
    default:
      control = <JsonField value={value ?? s.default} onChange={onChange} disabled={disabled} testId={testId} />;
  }
  const error = errors[path] ?? (kind === 'objectArray' ? undefined : Object.entries(errors).find(([k]) => k.startsWith(`${path}.`))?.[1]);
  return (
    <div className={`kh-field ${error ? 'kh-field-error' : ''}`} data-field={path}>
      <label className="kh-field-label">
        {labelOf(name) ?? s.title ?? name}
        {labelOf(name) && <span className="kh-field-key">{name}</span>}
        {s.description && <Tooltip title={s.description}><QuestionCircleOutlined style={{ marginLeft: 4, color: '#8c8c8c' }} /></Tooltip>}
      </label>
      {control}
      {error && <div className="kh-field-msg">{error}</div>}
    </div>
  );
}

function Fields({ schema, value, onChange, errors, fieldOptions, disabled, prefix, testIdPrefix, labelOf }: {
  schema: JsonSchema; value: Record<string, unknown>; onChange(v: Record<string, unknown>): void; errors: Record<string, string>; fieldOptions: Record<string, Option[]>; disabled?: boolean; prefix: string; testIdPrefix: string; labelOf: (name: string) => string | undefined;
}) {
  const props = Object.entries(schema.properties ?? {});
  return (
    <>
      {props.map(([key, sub]) => (
        <Field
          key={key}
          name={key}
          path={`${prefix}${key}`}
          schema={sub}
          value={value[key]}
          onChange={(v) => {
            const next = { ...value };
            if (v === undefined) delete next[key]; else next[key] = v;
            onChange(next);
          }}
          errors={errors}
          fieldOptions={fieldOptions}
          disabled={disabled}
          testIdPrefix={testIdPrefix}
          labelOf={labelOf}
        />
      ))}
    </>
  );
}

/** A form generated from a JSON Schema: strings, numbers, booleans, enums, string lists and nested objects; JSON for the rest. */
const noLabel = () => undefined;

export function SchemaForm({ schema, value, onChange, errors = {}, fieldOptions = {}, disabled, testIdPrefix = 'field-', labelOf = noLabel }: Props) {
  const t = useT();
  const kind = kindOf(schema);
  if (kind !== 'object') {
    if (kind === 'json' && schema.type === 'object' && !schema.properties) {
      return <JsonField value={value} onChange={(v) => onChange((v ?? {}) as Record<string, unknown>)} disabled={disabled} testId={`${testIdPrefix}json`} />;
    }
    return <Typography.Text type="secondary">{t('form.noConfig')}</Typography.Text>;
  }
  if (!Object.keys(schema.properties ?? {}).length) return <Typography.Text type="secondary">{t('form.noConfig')}</Typography.Text>;
  return (
    <div className="kh-schema-form">
      <Fields schema={schema} value={value ?? {}} onChange={onChange} errors={errors} fieldOptions={fieldOptions} disabled={disabled} prefix="" testIdPrefix={testIdPrefix} labelOf={labelOf} />
    </div>
  );
}
