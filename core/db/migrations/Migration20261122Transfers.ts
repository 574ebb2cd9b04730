import { Migration } from '@mikro-orm/migrations';

export class Migration20261122Transfers extends Migration {
  override name = 'Migration20261122Transfers';
  // Transfer offers and their history, the away grace of the workspace, and when an agent's status changed.
  override up(): void {
    this.addSql("create table `conversation_transfer` (`id` varchar(36) not null, `workspace_id` varchar(36) not null, `created_at` datetime(3) not null, `conversation_id` varchar(36) not null, `kind` enum('agent','group','reassign') not null, `status` enum('pending','accepted','declined','expired','cancelled','completed') not null, `from_agent_id` varchar(36) null, `to_agent_id` varchar(36) null, `to_skill_group_id` varchar(36) null, `note` varchar(1000) null, `requested_by_id` varchar(36) null, `decided_by_id` varchar(36) null, `reason` varchar(200) null, `expires_at` datetime(3) null, `decided_at` datetime(3) null, `updated_at` datetime not null, primary key (`id`)) default character set utf8mb4 engine = InnoDB");
    this.addSql("alter table `conversation_transfer` add index `conversation_transfer_workspace_id_index` (`workspace_id`)");
    this.addSql("alter table `conversation_transfer` add index `conversation_transfer_workspace_id_conversation_id_index` (`workspace_id`, `conversation_id`)");
    this.addSql("alter table `conversation_transfer` add index `conversation_transfer_workspace_id_to_agent_id_status_index` (`workspace_id`, `to_agent_id`, `status`)");
    this.addSql("alter table `workspace` add `away_requeue_after_sec` int not null default 300");
    this.addSql("alter table `agent_profile` add `status_changed_at` datetime(3) null");
  }
}
