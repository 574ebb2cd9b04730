import { GraphQLError, Kind } from 'graphql';
import type { HubBuilder } from '../builder.ts';

export function registerScalars(builder: HubBuilder): void {
  builder.scalarType('DateTime', {
    description: 'ISO-8601 timestamp (UTC)',
    serialize: (v) => (v instanceof Date ? v.toISOString() : new Date(v as string).toISOString()),
    parseValue: (v) => {
      const d = new Date(v as string);
      if (typeof v !== 'string' || Number.isNaN(d.getTime())) throw new GraphQLError('DateTime must be an ISO-8601 string', { extensions: { code: 'BAD_USER_INPUT' } });
      return d;
    },
  });
  builder.scalarType('JSON', {
    description: 'Arbitrary JSON value',
    serialize: (v) => v,
    parseValue: (v) => v,
    parseLiteral: function parse(ast): unknown {
      switch (ast.kind) {
        case Kind.STRING: case Kind.BOOLEAN: return ast.value;
        case Kind.INT: case Kind.FLOAT: return Number(ast.value);
        case Kind.NULL: return null;
        case Kind.LIST: return ast.values.map((v) => parse(v));
        case Kind.OBJECT: return Object.fromEntries(ast.fields.map((f) => [f.name.value, parse(f.value)]));
        default: throw new GraphQLError('JSON literal cannot contain variables here', { extensions: { code: 'BAD_USER_INPUT' } });
      }
    },
  });
}
