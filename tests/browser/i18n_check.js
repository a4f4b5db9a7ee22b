// Every UI string of static/field/i18n.js: [zh, en], both non-empty, same placeholders.
(async () => {
      const { strings } = await import('/static/field/i18n.js');
      const out = [];
      const vars = (s) => [...s.matchAll(/\{(\w+)\}/g)].map((m) => m[1]).sort().join(',');
      for (const [key, pair] of Object.entries(strings)) {
        if (!Array.isArray(pair) || pair.length !== 2 || pair.some((s) => typeof s !== 'string' || !s.trim())) out.push(`${key}: not [zh, en]`);
        else if (vars(pair[0]) !== vars(pair[1])) out.push(`${key}: placeholders differ`);
        else if (!/[\u4e00-\u9fff]/.test(pair[0]) && !/^[\w {}.,:/-]+$/.test(pair[0])) out.push(`${key}: zh has no Chinese`);
      }
      return out;
    })
