/** English of the API's error texts of issue 14's module (see messages-en.ts for the key format). */
export const EN_TERMINALS: Record<string, string> = {
  该仪器已登记监测终端: 'This instrument already has a terminal',
  监测终端已停用: 'The terminal is disabled already',
  监测终端未停用: 'The terminal is not disabled',
  监测终端: 'Terminal',
  结束日期不能早于开始日期: 'The end date cannot be before the start date',
  '查询范围最多 93 天': 'At most 93 days can be asked for',
  结束时间须晚于开始时间: 'The end must be after the start',
  '日期格式须为 YYYY-MM-DD': 'The date must be written YYYY-MM-DD',
  '须为 ISO 8601 时间': 'Must be an ISO 8601 time',
  '终端编号只含字母、数字、_ 和 -': 'A terminal id has letters, digits, _ and - only',
  '终端未登记、已停用或签名不正确，读数未采用':
    'The terminal is not registered or is disabled, or the signature is wrong: the readings were not applied',
};
