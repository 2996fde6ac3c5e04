"""WeChat 公众号 articles: one paste-ready HTML file per article."""

from publisher_channels.wechat.channel import WechatChannel

__all__ = ["WechatChannel"]
