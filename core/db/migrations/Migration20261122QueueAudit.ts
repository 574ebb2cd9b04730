import { Migration } from '@mikro-orm/migrations';

export class Migration20261122QueueAudit extends Migration {
  override name = 'Migration20261122QueueAudit';
  // The queue audit (core/routing/queue-audit.ts) reads waiting conversations of every workspace by the time they queued.
  override up(): void {
    this.addSql('alter table `conversation` add index `conversation_status_queued_at_index` (`status`, `queued_at`)');
  }
}
