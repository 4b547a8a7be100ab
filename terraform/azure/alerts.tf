# Alerts: what an operator must hear about without reading logs (README, Operations).
# Each alert goes to the action group below: the e-mail address in alert_email, plus any action
# groups in alert_action_group_ids (Teams, PagerDuty, SMS made in the portal).

resource "azurerm_monitor_action_group" "operators" {
  name                = "${local.name}-operators"
  resource_group_name = azurerm_resource_group.this.name
  short_name          = "deezwatts"
  tags                = var.tags

  dynamic "email_receiver" {
    for_each = var.alert_email == null ? [] : [var.alert_email]
    content {
      name                    = "operators"
      email_address           = email_receiver.value
      use_common_alert_schema = true
    }
  }
}

locals {
  alert_action_groups = concat([azurerm_monitor_action_group.operators.id], var.alert_action_group_ids)
}

# A bulk the function could not store after its retries was parked on the dead-letter hub:
# replay it with `deezwatts replay --from eventhubs:...` once the cause is fixed.
resource "azurerm_monitor_metric_alert" "dead_letters" {
  name                = "${local.name}-dead-letters"
  resource_group_name = azurerm_resource_group.this.name
  scopes              = [azurerm_eventhub_namespace.this.id]
  description         = "Bulks were parked on the ${azurerm_eventhub.dead_letter.name} hub; see README, Operations, to replay them."
  severity            = 1
  frequency           = "PT1M"
  window_size         = "PT5M"
  tags                = var.tags

  criteria {
    metric_namespace = "Microsoft.EventHub/namespaces"
    metric_name      = "IncomingMessages"
    aggregation      = "Total"
    operator         = "GreaterThan"
    threshold        = 0

    dimension {
      name     = "EntityName"
      operator = "Include"
      values   = [azurerm_eventhub.dead_letter.name]
    }
  }

  dynamic "action" {
    for_each = local.alert_action_groups
    content {
      action_group_id = action.value
    }
  }
}

# The function could neither store nor park a bulk: it is only in the ingest hub now, until its
# retention ends. The log line names its partition and offset.
resource "azurerm_monitor_scheduled_query_rules_alert_v2" "lost_bulks" {
  name                 = "${local.name}-lost-bulks"
  resource_group_name  = azurerm_resource_group.this.name
  location             = azurerm_resource_group.this.location
  scopes               = [azurerm_application_insights.this.id]
  description          = "A bulk could be neither stored nor parked (LOST unless replayed from the source hub); replay it from the ingest hub before its retention ends."
  severity             = 0
  evaluation_frequency = "PT5M"
  window_duration      = "PT5M"
  tags                 = var.tags

  criteria {
    query                   = "traces | where message startswith \"LOST unless replayed\""
    time_aggregation_method = "Count"
    operator                = "GreaterThan"
    threshold               = 0
  }

  action {
    action_groups = local.alert_action_groups
  }
}

# Invocations that failed: HTTP pushes answered 5xx, Event Hubs batches that threw (retried).
resource "azurerm_monitor_scheduled_query_rules_alert_v2" "function_failures" {
  name                 = "${local.name}-function-failures"
  resource_group_name  = azurerm_resource_group.this.name
  location             = azurerm_resource_group.this.location
  scopes               = [azurerm_application_insights.this.id]
  description          = "deezwatts functions failed; their traces say why (README, Operations)."
  severity             = 2
  evaluation_frequency = "PT5M"
  window_duration      = "PT5M"
  tags                 = var.tags

  criteria {
    query                   = "requests | where success == false"
    time_aggregation_method = "Count"
    operator                = "GreaterThan"
    threshold               = 0
  }

  action {
    action_groups = local.alert_action_groups
  }
}
