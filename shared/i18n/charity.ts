/** Messages of the charity part of the cockpit (merged into shared/i18n.ts; zh-CN first). */
export const zhCN = {
  /** How an anonymous donor is shown (the server sends ANONYMOUS_DONOR, 爱心人士, as the name). */
  'charity.anonymous_donor': '爱心人士',
  'charity.money': '善款',
  'charity.goods': '物资',
  'charity.donor.person': '个人',
  'charity.donor.enterprise': '企业',
  'charity.donor.org': '社会组织',
  'charity.fund': '慈善基金',
  'charity.restricted': '定向资金',
  'charity.paid_out': '已拨付',
  'feed.charity.donated_money': '{donor} 捐赠善款 ¥{amount}',
  'feed.charity.donated_goods': '{donor} 捐赠{item} {quantity}{unit}',
  'feed.charity.disbursed_money': '拨付善款 ¥{amount} · {purpose}',
  'feed.charity.disbursed_goods': '发放{item} {quantity}{unit} · {purpose}',
  // For a need that could single a resident out: its category, not the typed purpose (shared/disclosure.ts).
  'feed.charity.disbursed_money_protected': '拨付善款 ¥{amount} · 用于{category}需求',
  'feed.charity.disbursed_goods_protected': '发放{item} {quantity}{unit} · 用于{category}需求',
  'error.insufficient_funds': '资金余额不足',
  'error.insufficient_goods': '物资库存不足',
  'error.charity_target_closed': '该项目或需求已结束，不能再接收捐赠或拨付',
} as const;

export const en: Record<keyof typeof zhCN, string> = {
  'charity.anonymous_donor': 'A kind donor',
  'charity.money': 'Money',
  'charity.goods': 'Goods',
  'charity.donor.person': 'Individual',
  'charity.donor.enterprise': 'Enterprise',
  'charity.donor.org': 'Organization',
  'charity.fund': 'Community fund',
  'charity.restricted': 'Designated funds',
  'charity.paid_out': 'Paid out',
  'feed.charity.donated_money': '{donor} gave ¥{amount}',
  'feed.charity.donated_goods': '{donor} gave {quantity} {unit} of {item}',
  'feed.charity.disbursed_money': 'Paid ¥{amount} · {purpose}',
  'feed.charity.disbursed_goods': 'Gave out {quantity} {unit} of {item} · {purpose}',
  'feed.charity.disbursed_money_protected': 'Paid ¥{amount} · for a need: {category}',
  'feed.charity.disbursed_goods_protected': 'Gave out {quantity} {unit} of {item} · for a need: {category}',
  'error.insufficient_funds': 'Not enough money in the fund',
  'error.insufficient_goods': 'Not enough of these goods on hand',
  'error.charity_target_closed': 'The project or need has ended and takes no more gifts or payments',
};
