<?xml version="1.0" encoding="UTF-8"?>
<!--
  Renders feedloom's RSS 2.0 and Atom 1.0 files as a readable page when a
  feed is opened in a browser. XSLT 1.0 only, no script, no external assets.
-->
<xsl:stylesheet version="1.0"
  xmlns:xsl="http://www.w3.org/1999/XSL/Transform"
  xmlns:atom="http://www.w3.org/2005/Atom"
  xmlns:dc="http://purl.org/dc/elements/1.1/"
  exclude-result-prefixes="atom dc">

  <!-- method html with an encoding makes libxslt add the charset meta itself. -->
  <xsl:output method="html" encoding="UTF-8" indent="yes" doctype-system="about:legacy-compat"/>

  <xsl:template match="/">
    <xsl:variable name="title" select="/rss/channel/title | /atom:feed/atom:title"/>
    <xsl:variable name="lang" select="/rss/channel/language | /atom:feed/@xml:lang"/>
    <xsl:variable name="self" select="/rss/channel/atom:link[@rel='self']/@href | /atom:feed/atom:link[@rel='self']/@href"/>
    <xsl:variable name="site" select="/rss/channel/link | /atom:feed/atom:link[@rel='alternate'][not(@hreflang)][1]/@href"/>
    <html lang="{$lang}">
      <head>
        <meta name="viewport" content="width=device-width, initial-scale=1"/>
        <title><xsl:value-of select="$title"/> (feed)</title>
        <style>
          body{font:1rem/1.55 system-ui,sans-serif;max-width:48rem;margin:0 auto;padding:1rem;color:#1a1a1a;background:#fff}
          .note{background:#eef3fb;border:1px solid #b8c9e6;border-radius:.25rem;padding:.5rem .75rem}
          code{word-break:break-all}
          time{color:#555;white-space:nowrap}
          li{margin:.3rem 0}
          a{color:#0645ad}
        </style>
      </head>
      <body>
        <header>
          <h1><xsl:value-of select="$title"/></h1>
          <p class="note" lang="en">
            This is a news feed. To follow it, copy its address
            <xsl:if test="$self">(<code><xsl:value-of select="$self"/></code>)</xsl:if>
            into a feed reader.
            <xsl:if test="$site"> The site itself is at <a href="{$site}"><xsl:value-of select="$site"/></a>.</xsl:if>
          </p>
        </header>
        <main>
          <ul>
            <xsl:apply-templates select="/rss/channel/item | /atom:feed/atom:entry"/>
          </ul>
        </main>
      </body>
    </html>
  </xsl:template>

  <xsl:template match="item">
    <li>
      <xsl:if test="dc:language">
        <xsl:attribute name="lang"><xsl:value-of select="dc:language"/></xsl:attribute>
      </xsl:if>
      <a href="{link}"><xsl:value-of select="title"/></a>
      <xsl:text> </xsl:text>
      <time><xsl:value-of select="pubDate"/></time>
    </li>
  </xsl:template>

  <xsl:template match="atom:entry">
    <xsl:variable name="date" select="atom:published | atom:updated[not(../atom:published)]"/>
    <li>
      <xsl:if test="@xml:lang">
        <xsl:attribute name="lang"><xsl:value-of select="@xml:lang"/></xsl:attribute>
      </xsl:if>
      <a href="{atom:link[not(@rel) or @rel='alternate'][1]/@href}"><xsl:value-of select="atom:title"/></a>
      <xsl:text> </xsl:text>
      <time datetime="{$date}"><xsl:value-of select="translate(substring($date, 1, 16), 'T', ' ')"/></time>
    </li>
  </xsl:template>
</xsl:stylesheet>
