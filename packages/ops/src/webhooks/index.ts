/** Webhooks (docs/webhooks.md): the change feed delivered to configured endpoints as signed batches. */
export { loadWebhooks, WEBHOOK_BATCH, type WebhookEndpoint, type WebhookFilter } from './config.js';
export { SIGNATURE_HEADER, signatureHeader, verifySignature } from './signature.js';
export { WebhookCursors, type WebhookState } from './cursors.js';
export {
  deliverBatch,
  passesFilter,
  pingEndpoint,
  type DeliveryPayload,
  type DeliverDeps,
} from './delivery.js';
export { deliveryJobId, followEndpoint, type FollowDeps } from './follower.js';
export { deliverQueue, startWebhookService, type WebhookServiceOptions } from './service.js';
export { listWebhooks, LAG_CAP, type WebhookRow, type ListWebhooksDeps } from './list.js';
