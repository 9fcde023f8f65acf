# The spend mart, for the "Paid media" dashboard.
view: paid_spend {
  sql_table_name: analytics.marts.fct_paid_spend ;;

  dimension: spend_key {
    primary_key: yes
    hidden: yes
    sql: CONCAT(${TABLE}.date_day, ${TABLE}.channel, ${TABLE}.campaign_name) ;;
  }

  dimension_group: date {
    type: time
    timeframes: [date, week, month]
    sql: ${TABLE}.date_day ;;
  }

  dimension: channel {
    type: string
    sql: ${TABLE}.channel ;;
  }

  dimension: campaign_name {
    type: string
    sql: ${TABLE}.campaign_name ;;
  }

  measure: total_spend {
    type: sum
    value_format_name: usd
    sql: ${TABLE}.spend ;;
  }

  measure: total_clicks {
    type: sum
    sql: ${TABLE}.clicks ;;
  }
}
