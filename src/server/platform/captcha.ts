import svgCaptcha from 'svg-captcha';

/** An image captcha (验证码) as SVG; the answer is kept server-side. */
export function makeCaptcha(): { text: string; svg: string } {
  const c = svgCaptcha.create({
    size: 4,
    noise: 2,
    ignoreChars: '0oO1ilI',
    color: true,
    background: '#eef3fb',
    width: 120,
    height: 40,
  });
  return { text: c.text.toLowerCase(), svg: c.data };
}
