/** A plugin that cannot be loaded stops start-up; the message always starts with the plugin's name. */
export class PluginLoadError extends Error {
  override name = 'PluginLoadError';
  readonly plugin: string;
  readonly source: string;
  constructor(plugin: string, source: string, reason: string) {
    super(`plugin "${plugin}" (${source}): ${reason}`);
    this.plugin = plugin;
    this.source = source;
  }
}
