/** Messages of the coordinator's invitation of a volunteer to their phone page (InviteVolunteer.svelte), spread into shared/i18n/console.ts; zh-CN first. */
export const zhCN = {
  'console.invite.button': '邀请开通手机账号',
  'console.invite.title': '邀请{name}开通手机账号',
  'console.invite.hint': '请志愿者用手机扫描二维码，或把链接发给本人。链接只能用一次，{days} 天内有效；再次邀请会使旧链接失效。',
  'console.invite.copy': '复制链接',
  'console.invite.expires': '有效期至 {at}',
  'console.invite.qr': '邀请二维码',
  'console.invite.close': '关闭',
} as const;

export const en: Record<keyof typeof zhCN, string> = {
  'console.invite.button': 'Invite to the phone page',
  'console.invite.title': 'Invite {name} to the phone page',
  'console.invite.hint': 'Let the volunteer scan the QR code with their phone, or send them the link. It works once, for {days} days; a new invitation ends the old link.',
  'console.invite.copy': 'Copy link',
  'console.invite.expires': 'Valid until {at}',
  'console.invite.qr': 'Invitation QR code',
  'console.invite.close': 'Close',
};
