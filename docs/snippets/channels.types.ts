// The payload type the framework samples of docs/channels.md use.
export interface ChatLine {
  from: string
  text: string
}
