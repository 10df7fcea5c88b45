/** JSON Schemas (PLACEHOLDER: the real schemas replace this). */
export const seldonMessageSchema = { $id: 'SeldonMessage', type: 'object' } as const
export const feedbackSchema = { $id: 'Feedback', type: 'object' } as const
export const seldonMessageListSchema = { $id: 'SeldonMessageList' } as const
