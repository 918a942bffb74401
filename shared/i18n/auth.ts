/** Messages of the auth part of the cockpit (merged into shared/i18n.ts; zh-CN first). */
export const zhCN = {
  // The console's own names for where a display is paired: the wall's pairing screen and the
  // start-up log say them too, so they live here, in the catalogue every part loads.
  'console.app.title': '管理控制台',
  'console.nav.displays': '大屏设备',
  'console.displays.pairTitle': '配对新大屏',
  'console.nav.screen': '打开大屏',
  'error.unauthenticated': '请先登录',
  'error.bad_credentials': '用户名或密码错误',
  'error.rate_limited': '尝试次数过多，请稍后再试',
  'error.csrf': '请求缺少有效的安全令牌，请刷新页面后重试',
  'error.not_linked': '该账号尚未关联社工档案，请管理员在控制台“用户”中关联',
  'error.origin': '不接受来自其他网站的请求',
  'error.setup_done': '系统已创建管理员，无需再次初始化',
  'error.setup_token': '初始化链接无效或已使用',
  'error.pairing_expired': '配对码已过期，请在大屏上获取新的配对码',
  'error.revoked': '该设备或密钥已被吊销',
  'error.password_change_required': '请先修改密码',
  'error.wrong_password': '当前密码不正确',
  'error.last_admin': '不能停用或降级最后一名管理员',
  'error.username_taken': '该用户名已被使用',
} as const;

export const en: Record<keyof typeof zhCN, string> = {
  'console.app.title': 'Console',
  'console.nav.displays': 'Displays',
  'console.displays.pairTitle': 'Pair a display',
  'console.nav.screen': 'Open the wall',
  'error.unauthenticated': 'Please log in',
  'error.bad_credentials': 'Wrong username or password',
  'error.rate_limited': 'Too many attempts; try again later',
  'error.csrf': 'The request lacks a valid security token; reload the page and try again',
  'error.not_linked': 'This account is not linked to a social worker record yet; an administrator links it under Users in the console',
  'error.origin': 'Requests from other sites are refused',
  'error.setup_done': 'An administrator exists already; setup is done',
  'error.setup_token': 'The setup link is invalid or has been used',
  'error.pairing_expired': 'The pairing code has expired; get a new one on the display',
  'error.revoked': 'This device or key has been revoked',
  'error.password_change_required': 'Change your password first',
  'error.wrong_password': 'The current password is wrong',
  'error.last_admin': 'The last administrator cannot be disabled or demoted',
  'error.username_taken': 'This username is taken',
};
