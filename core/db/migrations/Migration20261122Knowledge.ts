import { Migration } from '@mikro-orm/migrations';

export class Migration20261122Knowledge extends Migration {
  override name = 'Migration20261122Knowledge';
  // Pruned by hand: MikroORM's diff on MariaDB also proposes no-op changes to JSON and nullable
  // columns (MariaDB stores JSON as LONGTEXT with a CHECK), which must not be applied. Existing
  // knowledge_entry columns are kept as they are (plugins read them by name).
  override up(): void {
    this.addSql("create table `knowledge_category` (`id` varchar(36) not null, `workspace_id` varchar(36) not null, `created_at` datetime(3) not null, `name` varchar(120) not null, `parent_id` varchar(36) null, `sort` int not null default 0, `updated_at` datetime not null, primary key (`id`)) default character set utf8mb4 engine = InnoDB");
    this.addSql("alter table `knowledge_category` add index `knowledge_category_workspace_id_index` (`workspace_id`)");
    this.addSql("alter table `knowledge_category` add index `knowledge_category_workspace_id_parent_id_index` (`workspace_id`, `parent_id`)");
    this.addSql("create table `knowledge_entry_revision` (`id` varchar(36) not null, `workspace_id` varchar(36) not null, `created_at` datetime(3) not null, `entry_id` varchar(36) not null, `version` int not null, `action` varchar(16) not null, `snapshot` json not null, `author_id` varchar(36) null, primary key (`id`)) default character set utf8mb4 engine = InnoDB");
    this.addSql("alter table `knowledge_entry_revision` add index `knowledge_entry_revision_workspace_id_index` (`workspace_id`)");
    this.addSql("alter table `knowledge_entry_revision` add unique `knowledge_entry_revision_entry_id_version_unique` (`entry_id`, `version`)");
    this.addSql("create table `knowledge_import` (`id` varchar(36) not null, `workspace_id` varchar(36) not null, `created_at` datetime(3) not null, `format` varchar(8) not null, `mode` varchar(8) not null, `status` enum('queued','running','completed','failed') not null default 'queued', `total` int not null default 0, `processed` int not null default 0, `created` int not null default 0, `updated` int not null default 0, `skipped` int not null default 0, `error_count` int not null default 0, `errors` json not null, `message` varchar(1000) null, `created_by_id` varchar(36) null, `started_at` datetime(3) null, `finished_at` datetime(3) null, `updated_at` datetime not null, primary key (`id`)) default character set utf8mb4 engine = InnoDB");
    this.addSql("alter table `knowledge_import` add index `knowledge_import_workspace_id_index` (`workspace_id`)");
    this.addSql("alter table `knowledge_import` add index `knowledge_import_workspace_id_created_at_index` (`workspace_id`, `created_at`)");
    this.addSql("alter table `knowledge_entry` add `category_id` varchar(36) null, add `answer_type` enum('text','rich_text','image','link','card') not null default 'text', add `answer_body` json null, add `version` int not null default 1, add `updated_by_id` varchar(36) null, add `enabled` tinyint(1) not null default true");
    this.addSql("alter table `knowledge_entry` add index `knowledge_entry_workspace_id_category_id_index` (`workspace_id`, `category_id`)");
    this.addSql("alter table `knowledge_entry` add index `knowledge_entry_workspace_id_question_index` (`workspace_id`, `question`)");
    // Existing data: free-text categories become root categories, and every entry gets its version-1 revision.
    this.addSql("insert into `knowledge_category` (`id`, `workspace_id`, `created_at`, `name`, `parent_id`, `sort`, `updated_at`) select uuid(), `workspace_id`, now(3), `category`, null, 0, now() from `knowledge_entry` where `category` is not null and `category` <> '' group by `workspace_id`, `category`");
    this.addSql("update `knowledge_entry` e join `knowledge_category` c on c.`workspace_id` = e.`workspace_id` and c.`name` = e.`category` and c.`parent_id` is null set e.`category_id` = c.`id` where e.`category` is not null and e.`category` <> ''");
    this.addSql("insert into `knowledge_entry_revision` (`id`, `workspace_id`, `created_at`, `entry_id`, `version`, `action`, `snapshot`, `author_id`) select uuid(), `workspace_id`, now(3), `id`, 1, 'create', json_object('question', `question`, 'variants', json_extract(`variants`, '$'), 'answer', `answer`, 'answerType', 'text', 'answerBody', null, 'visibility', `visibility`, 'categoryId', `category_id`, 'category', `category`, 'enabled', json_extract('true', '$')), null from `knowledge_entry`");
  }
}
