import type { EsClient } from '@paperline/core/es';
import type { RefreshControl } from './refresh.js';

/** The refresh interval of the index behind `index` (an alias or a name), read and set. */
export function indexRefreshControl(es: EsClient, index: string): RefreshControl {
  return {
    async refreshInterval() {
      const res = await es.indices.getSettings({
        index,
        name: 'index.refresh_interval',
        include_defaults: true,
      });
      // Through an alias: the one index behind it.
      const entry = Object.values(res)[0];
      const interval = entry?.settings?.index?.refresh_interval ?? entry?.defaults?.index?.refresh_interval;
      return String(interval ?? '1s');
    },
    async setRefreshInterval(value) {
      await es.indices.putSettings({ index, settings: { index: { refresh_interval: value } } });
    },
    async refresh() {
      await es.indices.refresh({ index });
    },
  };
}
