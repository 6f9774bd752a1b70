/**
 * The variables a message template can use, and a sample of them for validation: `campaign validate`
 * renders every template with this sample (unknown variables are errors) and counts SMS segments.
 * The sample is deliberately on the long side so that a template that fits here fits real customers.
 */
export interface TemplateContext {
  customer: {
    name: string;
    /** Platform nickname (Taobao 买家会员名); empty when not known. */
    nickname: string;
    province: string;
    city: string;
    memberTier: string;
    /** Loyalty points balance at the wave's run (0 without points). */
    points: number;
  };
  offer: {
    title: string;
    code: string;
    value: number | string;
    minSpend: number | string;
    validUntil: string;
  };
  shop: { name: string };
  /** Tracked short link for this send (the click redirect to the wave's landing page). */
  link: string;
  /**
   * The wave's products, in the order configured, each with its own tracked link for this send (`url`);
   * issued only for a template that uses `products` (render-message.ts `templateUsesProducts`).
   */
  products: TemplateProduct[];
  /** One-click unsubscribe page for this send. */
  unsubscribeUrl: string;
  /** The SMS signature, e.g. 【优品小店】, and the opt-out line, e.g. 回T退订. */
  signature: string;
  optOut: string;
}

export interface TemplateProduct {
  sku: string;
  /** The configured name, else the sku. */
  name: string;
  /** This send's tracked link to the product page. */
  url: string;
}

export interface SampleInputs {
  signature?: string | undefined;
  optOutText?: string | undefined;
  offer?:
    | {
        title: string;
        code?: string | undefined;
        value?: number | undefined;
        minSpend?: number | undefined;
        validUntil?: string | undefined;
      }
    | undefined;
  products?: readonly { sku: string; name?: string | undefined }[] | undefined;
}

/** Length of a tracked short link as Delivery issues them: https://s.example.cn/ plus a 10-character token. */
export const SAMPLE_SHORT_LINK = 'https://s.example.cn/Ab3dEf6hJk';

export function sampleTemplateContext(inputs: SampleInputs): TemplateContext {
  const signature = inputs.signature ?? '';
  return {
    customer: {
      name: '欧阳晓婷',
      nickname: '晓婷爱购物_1992tb',
      province: '黑龙江省',
      city: '齐齐哈尔市',
      memberTier: '至尊VIP',
      points: 128888,
    },
    offer: {
      title: inputs.offer?.title ?? '',
      code: inputs.offer?.code ?? '',
      value: inputs.offer?.value ?? '',
      minSpend: inputs.offer?.minSpend ?? '',
      validUntil: inputs.offer?.validUntil?.replace('T', ' ') ?? '',
    },
    shop: { name: signature.replace(/[【】]/g, '') },
    link: SAMPLE_SHORT_LINK,
    // Each product link is as long as the landing page's: same base, another 10-character code.
    products: (inputs.products ?? []).map((p) => ({
      sku: p.sku,
      name: p.name ?? p.sku,
      url: SAMPLE_SHORT_LINK,
    })),
    unsubscribeUrl: `${SAMPLE_SHORT_LINK}/u`,
    signature,
    optOut: inputs.optOutText ?? '',
  };
}
