import { p } from '@mikro-orm/core';
import { newId } from '../ids.ts';

/** Columns every tenant-owned table starts with. The `workspace` filter keys on `workspaceId`. */
export const tenantColumns = () => ({
  id: p.string().length(36).primary().onCreate(() => newId()),
  workspaceId: p.string().length(36).index(),
  createdAt: p.datetime(3).onCreate(() => new Date()),
});

export const updatedAt = () => p.datetime().onCreate(() => new Date()).onUpdate(() => new Date());
