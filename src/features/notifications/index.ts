/**
 * Notifications: the outbox, contacts and delivery channels.
 * This file is the feature's public entry: code outside src/features/notifications imports only this.
 */
export { notificationsPlugin } from './notifications.plugin.js';
export { cancelPendingNotifications, enqueueNotification, enqueueNotifications } from './outbox.js';
export type { NotificationEvent } from './outbox.js';
