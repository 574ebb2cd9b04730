import { Migration } from '@mikro-orm/migrations';

export class Migration20261122Routing extends Migration {
  override name = 'Migration20261122Routing';
  // Smart routing: skill-group policies, the decision log, agent status history (the simulator's input),
  // and the first queue time of a conversation.
  override up(): void {
    this.addSql("alter table `skill_group` add `routing` json null");
    this.addSql("alter table `conversation` add `first_queued_at` datetime(3) null");
    this.addSql("create table `routing_decision` (`id` varchar(36) not null, `workspace_id` varchar(36) not null, `created_at` datetime(3) not null, `conversation_id` varchar(36) not null, `kind` enum('queued','assigned','overflowed','exited') not null, `decision_key` varchar(191) not null, `skill_group_id` varchar(36) null, `agent_id` varchar(36) null, `strategy` varchar(64) null, `summary` varchar(500) not null, `detail` json not null, `decided_at` datetime(3) not null, primary key (`id`)) default character set utf8mb4 engine = InnoDB");
    this.addSql("alter table `routing_decision` add index `routing_decision_workspace_id_index` (`workspace_id`)");
    this.addSql("alter table `routing_decision` add index `routing_decision_workspace_id_conversation_id_index` (`workspace_id`, `conversation_id`)");
    this.addSql("alter table `routing_decision` add index `routing_decision_workspace_id_decided_at_index` (`workspace_id`, `decided_at`)");
    this.addSql("alter table `routing_decision` add unique `routing_decision_workspace_id_decision_key_unique` (`workspace_id`, `decision_key`)");
    this.addSql("create table `agent_status_log` (`id` varchar(36) not null, `workspace_id` varchar(36) not null, `created_at` datetime(3) not null, `agent_id` varchar(36) not null, `status` varchar(16) not null, `capacity` int not null, `skills` json not null, `at` datetime(3) not null, primary key (`id`)) default character set utf8mb4 engine = InnoDB");
    this.addSql("alter table `agent_status_log` add index `agent_status_log_workspace_id_index` (`workspace_id`)");
    this.addSql("alter table `agent_status_log` add index `agent_status_log_workspace_id_at_index` (`workspace_id`, `at`)");
  }
}
