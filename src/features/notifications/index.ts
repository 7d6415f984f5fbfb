/**
 * Notifications: the outbox, contacts and delivery channels.
 * This file is the feature's public entry: code outside src/features/notifications imports only this.
 */
export { languageFrom, notificationsPlugin } from './notifications.plugin.js';
export { cancelPendingNotifications, deliverableContacts, enqueueNotification, enqueueNotifications, NOTIFICATION_EVENTS } from './outbox.js';
export { NOTICE_LANGUAGES, type NoticeLanguage } from './messages.js';
export type { NotificationEvent } from './outbox.js';
