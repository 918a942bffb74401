/** Messages of the five subjects' common parts and the volunteers' feed lines (merged into shared/i18n.ts; zh-CN first). */
export const zhCN = {
  'subject.community': '社区',
  'subject.org': '社会组织',
  'subject.social_worker': '社会工作者',
  'subject.volunteer': '社区志愿者',
  'subject.charity': '慈善资源',
  'feed.activity.created': '新活动发布 · {title}',
  'feed.volunteer.checked_in': '志愿者 {name} 签到 · {title}',
  'feed.volunteer.checked_out': '志愿者 {name} 签退 · {title}',
  'feed.volunteer.served': '志愿者 {name} 完成服务 {hours} 小时 · 获得 {points} 积分',
  'feed.points.redeemed': '志愿者 {name} 兑换 {item} · {points} 积分',
} as const;

export const en: Record<keyof typeof zhCN, string> = {
  'subject.community': 'Community',
  'subject.org': 'Social organizations',
  'subject.social_worker': 'Social workers',
  'subject.volunteer': 'Volunteers',
  'subject.charity': 'Charity resources',
  'feed.activity.created': 'New activity · {title}',
  'feed.volunteer.checked_in': 'Volunteer {name} checked in · {title}',
  'feed.volunteer.checked_out': 'Volunteer {name} checked out · {title}',
  'feed.volunteer.served': 'Volunteer {name} served {hours} h · earned {points} points',
  'feed.points.redeemed': 'Volunteer {name} redeemed {item} · {points} points',
};
