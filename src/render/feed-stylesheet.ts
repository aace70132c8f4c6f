// out/feed.xsl: an XSLT 1.0 stylesheet that browsers apply to rss.xml and atom.xml (through their
// xml-stylesheet instruction), so a person who opens a feed sees a readable page, not raw XML.
// Feed readers ignore it; the feed itself stays valid.

export const FEED_STYLESHEET = `<?xml version="1.0" encoding="utf-8"?>
<xsl:stylesheet version="1.0"
  xmlns:xsl="http://www.w3.org/1999/XSL/Transform"
  xmlns:atom="http://www.w3.org/2005/Atom"
  exclude-result-prefixes="atom">
  <xsl:output method="html" encoding="utf-8" indent="yes" doctype-system="about:legacy-compat"/>

  <xsl:template match="/">
    <html>
      <head>
        <meta charset="utf-8"/>
        <meta name="viewport" content="width=device-width, initial-scale=1"/>
        <title><xsl:value-of select="rss/channel/title | atom:feed/atom:title"/> (feed)</title>
        <style>
          body{font:1rem/1.5 system-ui,-apple-system,sans-serif;max-width:46rem;margin:0 auto;padding:1rem;color:#1d1d1f}
          .note{background:#fff6e5;border:1px solid #f0c36d;border-radius:.3rem;padding:.6rem .8rem}
          li{margin:.5rem 0}time{color:#666;font-size:.9rem;display:block}
        </style>
      </head>
      <body>
        <p class="note">This is a web feed. Copy this page's address into your feed reader to subscribe.</p>
        <xsl:apply-templates select="rss/channel | atom:feed"/>
      </body>
    </html>
  </xsl:template>

  <xsl:template match="channel">
    <h1><xsl:value-of select="title"/></h1>
    <p><xsl:value-of select="description"/></p>
    <p><a href="{link}">Visit the site</a></p>
    <ul>
      <xsl:for-each select="item">
        <li>
          <a href="{link}"><xsl:value-of select="title"/></a>
          <time><xsl:value-of select="pubDate"/></time>
        </li>
      </xsl:for-each>
    </ul>
  </xsl:template>

  <xsl:template match="atom:feed">
    <h1><xsl:value-of select="atom:title"/></h1>
    <p><xsl:value-of select="atom:subtitle"/></p>
    <p><a href="{atom:link[@rel='alternate']/@href}">Visit the site</a></p>
    <ul>
      <xsl:for-each select="atom:entry">
        <li>
          <a href="{atom:link[not(@rel) or @rel='alternate']/@href}"><xsl:value-of select="atom:title"/></a>
          <time><xsl:value-of select="atom:published"/></time>
        </li>
      </xsl:for-each>
    </ul>
  </xsl:template>
</xsl:stylesheet>
`;
