// Core migrations, applied in this order. Add new ones at the end (npm run migration:create -- Name);
// never edit one that has shipped.
import { Migration20261122Init } from './Migration20261122Init.ts';
import { Migration20261122Lifecycle } from './Migration20261122Lifecycle.ts';
import { Migration20261122Knowledge } from './Migration20261122Knowledge.ts';
import { Migration20261122Transfers } from './Migration20261122Transfers.ts';
import { Migration20261122Routing } from './Migration20261122Routing.ts';
import { Migration20261122SelfService } from './Migration20261122SelfService.ts';
import { Migration20261122QueueAudit } from './Migration20261122QueueAudit.ts';
export const coreMigrations = [Migration20261122Init, Migration20261122Lifecycle, Migration20261122Knowledge, Migration20261122Transfers, Migration20261122Routing, Migration20261122SelfService, Migration20261122QueueAudit];
