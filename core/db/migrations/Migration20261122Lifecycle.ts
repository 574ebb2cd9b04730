import { Migration } from '@mikro-orm/migrations';

export class Migration20261122Lifecycle extends Migration {
  override name = 'Migration20261122Lifecycle';
  // Pruned by hand: MikroORM's diff on MariaDB also proposes no-op changes to JSON and nullable
  // columns (MariaDB stores JSON as LONGTEXT with a CHECK), which must not be applied.
  override up(): void {
    this.addSql("alter table `message` modify `client_message_id` varchar(128) null");
    this.addSql("create table `canned_reply` (`id` varchar(36) not null, `workspace_id` varchar(36) not null, `created_at` datetime(3) not null, `title` varchar(120) not null, `shortcut` varchar(32) null, `template` text not null, `updated_at` datetime not null, primary key (`id`)) default character set utf8mb4 engine = InnoDB");
    this.addSql("alter table `canned_reply` add index `canned_reply_workspace_id_index` (`workspace_id`)");
    this.addSql("create table `knowledge_entry` (`id` varchar(36) not null, `workspace_id` varchar(36) not null, `created_at` datetime(3) not null, `question` varchar(500) not null, `variants` json not null, `answer` text not null, `visibility` enum('public','internal') not null default 'public', `category` varchar(120) null, `updated_at` datetime not null, primary key (`id`)) default character set utf8mb4 engine = InnoDB");
    this.addSql("alter table `knowledge_entry` add index `knowledge_entry_workspace_id_index` (`workspace_id`)");
    this.addSql("create table `offline_message` (`id` varchar(36) not null, `workspace_id` varchar(36) not null, `created_at` datetime(3) not null, `conversation_id` varchar(36) not null, `customer_id` varchar(36) not null, `channel_id` varchar(36) not null, `reason` varchar(32) not null, `content` text not null, `contact` json not null, `status` enum('open','assigned','replied') not null default 'open', `assignee_id` varchar(36) null, `reply` text null, `replied_at` datetime(3) null, `updated_at` datetime not null, primary key (`id`)) default character set utf8mb4 engine = InnoDB");
    this.addSql("alter table `offline_message` add index `offline_message_workspace_id_index` (`workspace_id`)");
    this.addSql("alter table `offline_message` add unique `offline_message_conversation_id_unique` (`conversation_id`)");
    this.addSql("alter table `offline_message` add index `offline_message_workspace_id_status_index` (`workspace_id`, `status`)");
    this.addSql("create table `survey_response` (`id` varchar(36) not null, `workspace_id` varchar(36) not null, `created_at` datetime(3) not null, `conversation_id` varchar(36) not null, `agent_id` varchar(36) null, `stars` int not null, `comment` varchar(2000) null, primary key (`id`)) default character set utf8mb4 engine = InnoDB");
    this.addSql("alter table `survey_response` add index `survey_response_workspace_id_index` (`workspace_id`)");
    this.addSql("alter table `survey_response` add unique `survey_response_conversation_id_unique` (`conversation_id`)");
    this.addSql("alter table `conversation` add `current_node_id` varchar(64) null, add `customer_read_seq` int not null default 0, add `agent_read_seq` int not null default 0, add `transfer_rule` varchar(64) null, add `trail` json not null, add `queued_at` datetime(3) null, add `assigned_at` datetime(3) null, add `first_response_at` datetime(3) null, add `close_reason` varchar(32) null, add `last_customer_message_at` datetime(3) null, add `last_agent_message_at` datetime(3) null");
    this.addSql("alter table `conversation` modify `status` enum('self_service','bot','queued','assigned','survey','offline','ended') not null default 'bot'");
  }
}
