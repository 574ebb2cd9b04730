import { Migration } from '@mikro-orm/migrations';

export class Migration20261122SelfService extends Migration {
  override name = 'Migration20261122SelfService';
  // Self-service (猜你想问): the pages an entry belongs to, and a per-day counter of the bot's answers by entry.
  override up(): void {
    this.addSql('alter table `knowledge_entry` add `page_patterns` json null');
    this.addSql("create table `knowledge_hit` (`id` varchar(36) not null, `workspace_id` varchar(36) not null, `created_at` datetime(3) not null, `entry_id` varchar(36) not null, `day` varchar(10) not null, `hits` int not null default 0, `updated_at` datetime not null, primary key (`id`)) default character set utf8mb4 engine = InnoDB");
    this.addSql('alter table `knowledge_hit` add index `knowledge_hit_workspace_id_index` (`workspace_id`)');
    this.addSql('alter table `knowledge_hit` add unique `knowledge_hit_workspace_id_day_entry_id_unique` (`workspace_id`, `day`, `entry_id`)');
  }
}
