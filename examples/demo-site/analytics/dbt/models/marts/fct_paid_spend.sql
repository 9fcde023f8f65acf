-- Daily paid spend by channel, in account currency. Google Ads reports cost in micros.
with google_ads as (
    select
        segments_date as date_day,
        'cpc' as utm_medium,
        campaign_name,
        metrics_cost_micros / 1e6 as spend,
        metrics_clicks as clicks
    from {{ source('google_ads', 'campaign_daily_utm') }}
),

facebook_ads as (
    select
        date_start as date_day,
        'paid-social' as utm_medium,
        campaign_name,
        spend,
        clicks
    from {{ source('facebook_ads', 'ads_insights') }}
),

unioned as (
    select * from google_ads
    union all
    select * from facebook_ads
)

select
    date_day,
    case
        when utm_medium = 'cpc' then 'Paid Search'
        when utm_medium = 'paid-social' then 'Paid Social'
        else 'Unassigned'
    end as channel,
    campaign_name,
    sum(spend) as spend,
    sum(clicks) as clicks
from unioned
group by 1, 2, 3
